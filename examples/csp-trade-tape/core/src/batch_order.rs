//! The order of the pushes inside one csp batch of a push group, chosen so
//! that csp's engine never loses an event.
//!
//! A `NON_COLLAPSING` adapter ticks one value per engine cycle: the rest of
//! its values in a batch wait in csp's pending events (`PendingPushEvents`),
//! and each cycle takes the next one, deferring the others again. When a
//! cycle both defers events of a group and consumes the last event of the
//! group's pending list, csp (0.18 and 0.19 at least) leaves that list's
//! tail pointing at the consumed event, which it has freed: the next event
//! of the group that has to wait is linked behind it and never ticks (a
//! status, or the rest of a feed's values, lost; the run then waits for its
//! end time). A feed hits it when the engine lags behind it: a batch with
//! several values for a `NON_COLLAPSING` subscription and a `LAST_VALUE` or
//! `BURST` one (or one of another symbol) in the same group.
//!
//! The order inside a batch changes no tick: each adapter sees its own values
//! in order whatever the others' pushes between them, and csp acts on the
//! batch's end only at its last event. So a batch ends with the last value of
//! the `NON_COLLAPSING` adapter that has the most values in it: every cycle
//! but the one that takes its last value defers that event (so the deferred
//! list ends where the pending list did), and in that cycle no adapter has a
//! second value left to defer.

/// What the order needs to know of one value of a batch: its route (the
/// subscriptions of its symbol), as an index below the number of routes, how
/// many adapters it is pushed to, and which of them is the last
/// `NON_COLLAPSING` one, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub route: usize,
    pub pushers: usize,
    pub last_non_collapsing: Option<usize>,
}

/// The push to move to the end of a batch: the value at `value`, to its
/// adapter at `pusher`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closing {
    pub value: usize,
    pub pusher: usize,
}

/// The push a batch must end with, when it does not end with it already:
/// `None` when no `NON_COLLAPSING` adapter gets two values of it, or when
/// its last push is the last value of one that gets the most. `counts` is
/// scratch space of one zero per route, left zeroed.
pub fn closing_push<T>(
    batch: &[T],
    shape: impl Fn(&T) -> Shape,
    counts: &mut [u32],
) -> Option<Closing> {
    let [.., last] = batch else {
        return None;
    };
    if batch.len() < 2 {
        return None;
    }
    // (count, value, pusher) of the last value of a route with the most.
    let mut most: Option<(u32, usize, usize)> = None;
    for (value, item) in batch.iter().enumerate() {
        let shape = shape(item);
        let Some(pusher) = shape.last_non_collapsing else {
            continue;
        };
        let count = &mut counts[shape.route];
        *count += 1;
        if most.is_none_or(|(best, _, _)| *count >= best) {
            most = Some((*count, value, pusher));
        }
    }
    for item in batch {
        counts[shape(item).route] = 0;
    }
    let (count, value, pusher) = most?;
    let ends = value == batch.len() - 1 && pusher + 1 == shape(last).pushers;
    (count >= 2 && !ends).then_some(Closing { value, pusher })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values by route, each route with its pushers' modes ('n' for
    /// `NON_COLLAPSING`, 'l' for another).
    fn plan(routes: &[&str], batch: &[usize]) -> Option<Closing> {
        let shapes: Vec<Shape> = batch
            .iter()
            .map(|&route| Shape {
                route,
                pushers: routes[route].len(),
                last_non_collapsing: routes[route].rfind('n'),
            })
            .collect();
        let mut counts = vec![0; routes.len()];
        let closing = closing_push(&shapes, |shape| *shape, &mut counts);
        assert!(counts.iter().all(|&count| count == 0));
        closing
    }

    fn at(value: usize, pusher: usize) -> Option<Closing> {
        Some(Closing { value, pusher })
    }

    #[test]
    fn a_batch_of_one_value_or_one_per_adapter_stays_as_it_is() {
        assert_eq!(plan(&["nl"], &[0]), None);
        assert_eq!(plan(&["nl", "nl"], &[0, 1]), None);
        assert_eq!(plan(&["l"], &[0, 0, 0]), None);
        assert_eq!(plan(&[], &[] as &[usize]), None);
    }

    #[test]
    fn a_batch_ending_with_the_last_value_of_the_busiest_adapter_stays() {
        assert_eq!(plan(&["n"], &[0, 0, 0]), None);
        assert_eq!(plan(&["ln"], &[0, 0]), None);
        assert_eq!(plan(&["n", "n"], &[1, 0, 1, 0]), None);
    }

    #[test]
    fn the_busiest_adapter_last_value_moves_to_the_end() {
        // Every push mode on one symbol: the NON_COLLAPSING push of the last value.
        assert_eq!(plan(&["nlb"], &[0, 0]), at(1, 0));
        assert_eq!(plan(&["lnb"], &[0, 0, 0]), at(2, 1));
        // Two symbols: the one with more values, even when the other ends the batch.
        assert_eq!(plan(&["n", "n"], &[0, 0, 1]), at(1, 0));
        // A LAST_VALUE subscription's value last.
        assert_eq!(plan(&["n", "l"], &[0, 0, 1]), at(1, 0));
    }
}
