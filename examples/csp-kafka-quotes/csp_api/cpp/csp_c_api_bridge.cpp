// The bridge between csp_c_api.h and csp's C++ engine, compiled by build.rs
// against the installed csp's headers and linked to its _cspimpl.so.
//
// Plumbing: you should not need to edit this file.

#include "csp_c_api.h"

#include <csp/engine/AdapterManager.h>
#include <csp/engine/OutputAdapter.h>
#include <csp/engine/PushInputAdapter.h>
#include <csp/engine/PushPullInputAdapter.h>
#include <csp/engine/Struct.h>
#include <csp/engine/TimeSeriesProvider.h>
#include <csp/python/Conversions.h>
#include <csp/python/Exception.h>
#include <csp/python/PyAdapterManagerWrapper.h>
#include <csp/python/PyEngine.h>
#include <csp/python/PyInputAdapterWrapper.h>
#include <csp/python/PyObjectPtr.h>
#include <csp/python/PyOutputAdapterWrapper.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace
{

// ---------------------------------------------------------------- last error

struct LastError
{
    CCspErrorCode code = CCSP_OK;
    std::string message;
};

thread_local LastError t_lastError;

// Failure paths are cold and out of line, keeping the per-tick getters short.
[[gnu::cold, gnu::noinline]] CCspErrorCode fail( CCspErrorCode code, std::string_view message ) noexcept
{
    t_lastError.code = code;
    try
    {
        t_lastError.message = message;
    }
    catch( ... ) // out of memory for the message: the code alone still says what failed
    {
        t_lastError.message.clear();
    }
    return code;
}

// Runs f, turning any C++ exception into an error code so none crosses the C ABI.
template<typename F>
CCspErrorCode guarded( F && f ) noexcept
{
    try
    {
        return f();
    }
    catch( const csp::TypeError & err )
    {
        return fail( CCSP_ERROR_TYPE_MISMATCH, err.description() );
    }
    catch( const csp::ValueError & err )
    {
        return fail( CCSP_ERROR_VALUE, err.description() );
    }
    catch( const csp::Exception & err )
    {
        return fail( CCSP_ERROR_RUNTIME, err.description() );
    }
    catch( const std::bad_alloc & )
    {
        return fail( CCSP_ERROR_OUT_OF_MEMORY, "out of memory" );
    }
    catch( const std::exception & err )
    {
        return fail( CCSP_ERROR_UNKNOWN, err.what() );
    }
    catch( ... )
    {
        return fail( CCSP_ERROR_UNKNOWN, "unknown C++ exception" );
    }
}

// The Python exception type that csp.run raises for an error code.
PyObject * pythonTypeFor( CCspErrorCode code )
{
    switch( code )
    {
        case CCSP_ERROR_TYPE_MISMATCH:     return PyExc_TypeError;
        case CCSP_ERROR_FILE_NOT_FOUND:    return PyExc_FileNotFoundError;
        case CCSP_ERROR_CONNECTION:        return PyExc_ConnectionError;
        case CCSP_ERROR_VALUE:
        case CCSP_ERROR_INVALID_ARGUMENT:
        case CCSP_ERROR_OUT_OF_RANGE:      return PyExc_ValueError;
        default:                           return PyExc_RuntimeError;
    }
}

// The error as csp.run raises it, with the message alone: csp puts a csp
// exception's C++ type (and its C++ file and line) in front of the message,
// a Python error it passes through as it is. Needs the GIL (the engine
// thread holds it in callbacks).
std::exception_ptr pythonError( CCspErrorCode code, const std::string & message )
{
    PyErr_SetString( pythonTypeFor( code ), message.c_str() );
    // An empty description: restore() leaves the Python error as it is.
    return std::make_exception_ptr( csp::python::PythonPassthrough( "", "", "", "", -1 ) );
}

// An error handed to the engine from a thread without the GIL: a csp
// exception of the right type (no C++ location), which the engine thread
// turns into pythonError when an adapter of the bridge stops (takePythonError).
struct DeferredError
{
    CCspErrorCode code;
    std::string message;
};

template<typename Base>
class Deferred final : public Base, public DeferredError
{
public:
    Deferred( const char * type, CCspErrorCode code, const std::string & message )
        : Base( type, message, "", "", -1 ), DeferredError{ code, message } {}
};

std::exception_ptr deferredError( CCspErrorCode code, const std::string & message )
{
    switch( code )
    {
        case CCSP_ERROR_TYPE_MISMATCH:
            return std::make_exception_ptr( Deferred<csp::TypeError>( "TypeError", code, message ) );
        case CCSP_ERROR_FILE_NOT_FOUND:
            return std::make_exception_ptr( Deferred<csp::FileNotFoundError>( "FileNotFoundError", code, message ) );
        case CCSP_ERROR_VALUE:
        case CCSP_ERROR_INVALID_ARGUMENT:
        case CCSP_ERROR_OUT_OF_RANGE:
            return std::make_exception_ptr( Deferred<csp::ValueError>( "ValueError", code, message ) );
        default:
            return std::make_exception_ptr( Deferred<csp::RuntimeException>( "RuntimeError", code, message ) );
    }
}

// The engine's pending error (csp keeps it in a protected member).
struct EngineError : csp::RootEngine
{
    // Replaces a deferred error the engine holds by its pythonError. On the
    // engine thread (GIL held): every adapter of the bridge calls it when it
    // stops, after its own stop, which joins the threads that may fail.
    static void takePythonError( csp::RootEngine * engine )
    {
        std::lock_guard<std::mutex> guard( engine ->* &EngineError::m_exception_mutex );
        std::exception_ptr & pending = engine ->* &EngineError::m_exception_ptr;
        if( !pending )
            return;
        try
        {
            std::rethrow_exception( pending );
        }
        catch( const DeferredError & error )
        {
            pending = pythonError( error.code, error.message );
        }
        catch( ... )
        {
        }
    }
};

// The error of a VTable callback that returned `code` (its message set with
// the last error, else one naming `what`), as pythonError: callbacks run on
// the engine thread.
std::exception_ptr callbackError( CCspErrorCode code, const char * what )
{
    std::string message = t_lastError.message.empty() ? std::string( what ) + " failed with error code " + std::to_string( code )
                                                       : t_lastError.message;
    t_lastError = LastError{};
    return pythonError( code, message );
}

// Raises a failed callback's error in the engine.
void check( CCspErrorCode code, const char * what )
{
    if( code != CCSP_OK )
        std::rethrow_exception( callbackError( code, what ) );
}

// For stop callbacks: csp stops adapters one after another without catching,
// so instead of throwing (which would leave the rest unstopped) the error is
// handed to the engine, which raises it from csp.run once all have stopped.
// Then a deferred error of the engine gets its Python form.
void checkStop( CCspErrorCode code, const char * what, csp::RootEngine * engine )
{
    if( code != CCSP_OK )
        engine -> shutdown( callbackError( code, what ) );
    EngineError::takePythonError( engine );
}

// ---------------------------------------------------------------- types

CCspType toCType( const csp::CspType & type )
{
    switch( type.type() )
    {
        case csp::CspType::Type::BOOL:      return CCSP_TYPE_BOOL;
        case csp::CspType::Type::INT8:      return CCSP_TYPE_INT8;
        case csp::CspType::Type::UINT8:     return CCSP_TYPE_UINT8;
        case csp::CspType::Type::INT16:     return CCSP_TYPE_INT16;
        case csp::CspType::Type::UINT16:    return CCSP_TYPE_UINT16;
        case csp::CspType::Type::INT32:     return CCSP_TYPE_INT32;
        case csp::CspType::Type::UINT32:    return CCSP_TYPE_UINT32;
        case csp::CspType::Type::INT64:     return CCSP_TYPE_INT64;
        case csp::CspType::Type::UINT64:    return CCSP_TYPE_UINT64;
        case csp::CspType::Type::DOUBLE:    return CCSP_TYPE_DOUBLE;
        case csp::CspType::Type::STRING:    return CCSP_TYPE_STRING;
        case csp::CspType::Type::DATETIME:  return CCSP_TYPE_DATETIME;
        case csp::CspType::Type::TIMEDELTA: return CCSP_TYPE_TIMEDELTA;
        case csp::CspType::Type::DATE:      return CCSP_TYPE_DATE;
        case csp::CspType::Type::TIME:      return CCSP_TYPE_TIME;
        case csp::CspType::Type::ENUM:      return CCSP_TYPE_ENUM;
        case csp::CspType::Type::STRUCT:    return CCSP_TYPE_STRUCT;
        case csp::CspType::Type::ARRAY:     return CCSP_TYPE_ARRAY;
        case csp::CspType::Type::DIALECT_GENERIC: return CCSP_TYPE_DIALECT_GENERIC;
        default:                            return CCSP_TYPE_UNKNOWN;
    }
}

const char * typeName( CCspType type )
{
    switch( type )
    {
        case CCSP_TYPE_BOOL:      return "bool";
        case CCSP_TYPE_INT64:     return "int";
        case CCSP_TYPE_DOUBLE:    return "float";
        case CCSP_TYPE_STRING:    return "str";
        case CCSP_TYPE_DATETIME:  return "datetime";
        case CCSP_TYPE_TIMEDELTA: return "timedelta";
        case CCSP_TYPE_STRUCT:    return "a csp.Struct";
        default:                  return "an unsupported type";
    }
}

[[gnu::cold, gnu::noinline]] CCspErrorCode typeMismatch( const char * what, CCspType actual, CCspType wanted ) noexcept
{
    try
    {
        return fail( CCSP_ERROR_TYPE_MISMATCH, std::string( what ) + " carries " + typeName( actual ) + ", not " + typeName( wanted ) );
    }
    catch( ... )
    {
        return fail( CCSP_ERROR_TYPE_MISMATCH, what );
    }
}

csp::Engine * asEngine( CCspEngineHandle handle ) { return reinterpret_cast<csp::Engine *>( handle ); }
CCspEngineHandle asHandle( csp::Engine * engine ) { return reinterpret_cast<CCspEngineHandle>( engine ); }

// ---------------------------------------------------------------- capsules

// Context set on a capsule once an engine-owned object owns its user_data.
char g_consumedMarker;

template<typename VTable>
struct CapsuleTraits;

template<>
struct CapsuleTraits<CCspPushInputAdapterVTable>
{
    static constexpr const char * name = CCSP_INPUT_ADAPTER_CAPSULE_NAME;
    static constexpr const char * kind = "push input adapter";
    static constexpr size_t minSize = CCSP_PUSH_INPUT_ADAPTER_VTABLE_MIN_SIZE;
};

template<>
struct CapsuleTraits<CCspOutputAdapterVTable>
{
    static constexpr const char * name = CCSP_OUTPUT_ADAPTER_CAPSULE_NAME;
    static constexpr const char * kind = "output adapter";
    static constexpr size_t minSize = sizeof( CCspOutputAdapterVTable );
};

template<>
struct CapsuleTraits<CCspAdapterManagerVTable>
{
    static constexpr const char * name = CCSP_ADAPTER_MANAGER_CAPSULE_NAME;
    static constexpr const char * kind = "adapter manager";
    static constexpr size_t minSize = CCSP_ADAPTER_MANAGER_VTABLE_MIN_SIZE;
};

template<typename VTable>
void capsuleDestructor( PyObject * capsule )
{
    auto * vtable = static_cast<VTable *>( PyCapsule_GetPointer( capsule, CapsuleTraits<VTable>::name ) );
    if( !vtable )
    {
        PyErr_Clear();
        return;
    }
    // Never used to build an adapter: the user data is still ours to release.
    if( PyCapsule_GetContext( capsule ) != &g_consumedMarker && vtable -> destroy )
        vtable -> destroy( vtable -> user_data );
    delete vtable;
}

template<typename VTable>
void * newCapsule( const VTable * vtable )
{
    if( !vtable )
    {
        PyErr_SetString( PyExc_ValueError, "cannot make a capsule from a NULL VTable" );
        return nullptr;
    }
    // Extension fields past the caller's struct_size stay zero. (Every valid
    // VTable has at least the minimum size; smaller ones are refused later.)
    auto * copy = new( std::nothrow ) VTable{};
    if( copy )
        std::memcpy( copy, vtable, std::min<size_t>( std::max<size_t>( vtable -> struct_size, CapsuleTraits<VTable>::minSize ), sizeof( VTable ) ) );
    if( !copy )
        return PyErr_NoMemory();
    PyObject * capsule = PyCapsule_New( copy, CapsuleTraits<VTable>::name, capsuleDestructor<VTable> );
    if( !capsule )
        delete copy;
    return capsule;
}

// Validates a capsule and returns a copy of its VTable; throws a csp exception
// (raised in Python as TypeError / ValueError) when it cannot be used.
template<typename VTable>
VTable takeVTable( PyObject * capsule )
{
    using Traits = CapsuleTraits<VTable>;
    if( !PyCapsule_CheckExact( capsule ) )
        CSP_THROW( csp::TypeError, "expected a " << Traits::name << " capsule for a " << Traits::kind << ", got an object of type "
                                                 << Py_TYPE( capsule ) -> tp_name );
    const char * name = PyCapsule_GetName( capsule );
    if( !name || std::strcmp( name, Traits::name ) != 0 )
        CSP_THROW( csp::TypeError, "expected a " << Traits::name << " capsule for a " << Traits::kind << ", got a capsule named "
                                                 << ( name ? name : "(none)" ) );
    if( PyCapsule_GetContext( capsule ) == &g_consumedMarker )
        CSP_THROW( csp::ValueError, "this " << Traits::name << " capsule was already used to build a " << Traits::kind
                                            << "; create a new capsule for each adapter" );
    auto * vtable = static_cast<const VTable *>( PyCapsule_GetPointer( capsule, name ) );
    if( !vtable )
        CSP_THROW( csp::python::PythonPassthrough, "" );
    if( vtable -> abi_version != CCSP_ABI_VERSION )
        CSP_THROW( csp::ValueError, Traits::kind << " VTable has abi_version " << vtable -> abi_version << " but this bridge implements abi_version "
                                                 << CCSP_ABI_VERSION << "; rebuild the extension against the same csp_c_api.h" );
    if( vtable -> struct_size < Traits::minSize )
        CSP_THROW( csp::ValueError, Traits::kind << " VTable has struct_size " << vtable -> struct_size << " but abi_version " << CCSP_ABI_VERSION
                                                 << " needs at least " << Traits::minSize );
    if( !vtable -> destroy )
        CSP_THROW( csp::ValueError, Traits::kind << " VTable has no destroy callback" );
    return *vtable;
}

void markConsumed( PyObject * capsule )
{
    PyCapsule_SetContext( capsule, &g_consumedMarker );
}

// ---------------------------------------------------------------- engine objects

// The csp.Struct type of a time series of structs, else nullptr.
const csp::StructMeta * structMetaOf( const csp::CspType & type )
{
    return type.type() == csp::CspType::Type::STRUCT ? static_cast<const csp::CspStructType &>( type ).meta().get() : nullptr;
}

// A push group of csp.impl.pushadapter.PushGroup() (a capsule that owns the
// csp::PushGroup), or none. Every adapter in the group holds a reference, as
// csp's own push adapters do: the engine reads and writes the group's state
// until it is torn down, long after the graph-time objects that made the
// capsule are gone.
class HeldPushGroup
{
public:
    explicit HeldPushGroup( PyObject * pyPushGroup )
    {
        if( pyPushGroup == Py_None )
            return;
        m_group = static_cast<csp::PushGroup *>( PyCapsule_GetPointer( pyPushGroup, nullptr ) );
        if( !m_group )
        {
            PyErr_Clear();
            CSP_THROW( csp::TypeError, "push_group must be a csp.impl.pushadapter.PushGroup() or None" );
        }
        m_capsule = csp::python::PyObjectPtr::incref( pyPushGroup );
    }

    csp::PushGroup * get() const { return m_group; }

private:
    csp::PushGroup * m_group = nullptr;
    // Released with the adapter, when the engine is torn down (GIL held).
    csp::python::PyObjectPtr m_capsule;
};

// ---------------------------------------------------------------- raw events
//
// csp's pushTick allocates each event with `new` on the pushing thread, and
// the engine frees it on its own. With glibc's malloc, a feed and an engine
// that run side by side (as they do at the in-flight bound) then meet in the
// same free lists on every event. So a plain push adapter here is made with
// csp's transformEvents: the feed writes raw events into slabs of its own (a
// pointer bump, no malloc), and the engine turns each into csp's event on its
// own thread (a malloc and a free that stay in that thread's cache).

// A block of raw events. Once the thread that wrote it has moved on to
// another and the engine has released every event in it, it goes back to
// the pool below. Small, so that the events csp never consumes (left in its
// queue when a run ends) hold little memory.
class EventSlab
{
public:
    static constexpr std::size_t BYTES = 4096;

    // What the writing thread holds until it seals the slab: more events
    // than a slab can take, so that the count cannot reach 0 before.
    static constexpr std::int64_t WRITER_HOLD = std::int64_t{ 1 } << 40;

    static EventSlab * make() { return new( ::operator new( BYTES, ALIGN ) ) EventSlab; }

    void destroy()
    {
        this -> ~EventSlab();
        ::operator delete( this, BYTES, ALIGN );
    }

    // A slab from the pool, made ready to write into again.
    void reopen() { m_refs.store( WRITER_HOLD, std::memory_order_relaxed ); }

    // Releases `count` events (or the writer's hold); the last one recycles
    // the slab.
    void release( std::int64_t count );

    char * begin() { return reinterpret_cast<char *>( this ) + sizeof( EventSlab ); }
    char * end() { return reinterpret_cast<char *>( this ) + BYTES; }

    // The next slab in a list of free ones.
    EventSlab * nextFree = nullptr;

private:
    static constexpr std::align_val_t ALIGN{ 64 };

    EventSlab() = default;

    std::atomic<std::int64_t> m_refs{ WRITER_HOLD };
};

// Emptied slabs kept for reuse, up to KEEP of them: any thread puts one in,
// a writing thread takes them all at once (so no slab is taken twice).
class SlabPool
{
public:
    static constexpr std::int64_t KEEP = 256;

    void put( EventSlab * slab )
    {
        if( m_size.fetch_add( 1, std::memory_order_relaxed ) >= KEEP )
        {
            m_size.fetch_sub( 1, std::memory_order_relaxed );
            return slab -> destroy();
        }
        slab -> nextFree = m_head.load( std::memory_order_relaxed );
        while( !m_head.compare_exchange_weak( slab -> nextFree, slab, std::memory_order_release, std::memory_order_relaxed ) )
        {
        }
    }

    // A list of free slabs (linked by nextFree), or null.
    EventSlab * takeAll()
    {
        EventSlab * slabs = m_head.exchange( nullptr, std::memory_order_acquire );
        std::int64_t count = 0;
        for( EventSlab * slab = slabs; slab; slab = slab -> nextFree )
            ++count;
        m_size.fetch_sub( count, std::memory_order_relaxed );
        return slabs;
    }

private:
    std::atomic<EventSlab *> m_head{ nullptr };
    std::atomic<std::int64_t> m_size{ 0 };
};

// Never destroyed: threads may release events while the process exits.
constinit SlabPool g_slabPool;

void EventSlab::release( std::int64_t count )
{
    if( m_refs.fetch_sub( count, std::memory_order_acq_rel ) == count )
        g_slabPool.put( this );
}

// The slab a thread writes raw events into, the room left in it, and the
// free slabs it took from the pool.
class SlabCursor
{
public:
    SlabCursor() = default;
    SlabCursor( const SlabCursor & ) = delete;
    SlabCursor & operator=( const SlabCursor & ) = delete;

    ~SlabCursor()
    {
        seal();
        while( m_spares )
            g_slabPool.put( std::exchange( m_spares, m_spares -> nextFree ) );
    }

    // Room for one event of this size and alignment, in slab().
    void * take( std::size_t size, std::size_t align )
    {
        char * slot = m_slab ? aligned( m_next, align ) : nullptr;
        if( !slot || slot + size > m_slab -> end() ) [[unlikely]]
        {
            open();
            slot = aligned( m_slab -> begin(), align );
        }
        m_next = slot + size;
        ++m_handed;
        return slot;
    }

    EventSlab * slab() const { return m_slab; }

private:
    static char * aligned( char * at, std::size_t align )
    {
        auto address = reinterpret_cast<std::uintptr_t>( at );
        return at + ( ( align - address % align ) % align );
    }

    // Seals the slab in use and starts another: a spare, one from the pool,
    // or a new one.
    void open()
    {
        seal();
        if( !m_spares )
            m_spares = g_slabPool.takeAll();
        if( m_spares )
        {
            m_slab = std::exchange( m_spares, m_spares -> nextFree );
            m_slab -> reopen();
        }
        else
            m_slab = EventSlab::make();
        m_handed = 0;
    }

    // Gives the slab over to the events in it.
    void seal()
    {
        if( m_slab )
            std::exchange( m_slab, nullptr ) -> release( EventSlab::WRITER_HOLD - m_handed );
    }

    EventSlab * m_slab = nullptr;
    char * m_next = nullptr;
    std::int64_t m_handed = 0;
    EventSlab * m_spares = nullptr;
};

thread_local SlabCursor t_slabCursor;

// A tick as the feed pushed it, before the engine turns it into csp's event.
template<typename T>
struct RawPushEvent final : csp::PushEvent
{
    RawPushEvent( csp::PushInputAdapter * adapter, T && value, EventSlab * slab )
        : csp::PushEvent( adapter ), m_value( std::move( value ) ), m_slab( slab )
    {
    }

    // On the pushing thread.
    static csp::PushEvent * make( csp::PushInputAdapter * adapter, T && value )
    {
        void * slot = t_slabCursor.take( sizeof( RawPushEvent ), alignof( RawPushEvent ) );
        return new( slot ) RawPushEvent( adapter, std::move( value ), t_slabCursor.slab() );
    }

    // On the engine thread: csp's event for this tick, this one released.
    csp::PushEvent * cook()
    {
        auto * event = new csp::TypedPushEvent<T>( adapter(), std::move( m_value ) );
        if( isGroupEnd() )
            event -> flagGroupEnd();
        release();
        return event;
    }

    void release()
    {
        EventSlab * slab = m_slab;
        this -> ~RawPushEvent();
        slab -> release( 1 );
    }

    T m_value;
    EventSlab * m_slab;
};

// csp's push adapter, taking raw events.
class RawEventsPushInputAdapter : public csp::PushInputAdapter
{
public:
    RawEventsPushInputAdapter( csp::Engine * engine, csp::CspTypePtr & type, csp::PushMode pushMode, csp::PushGroup * group )
        : csp::PushInputAdapter( engine, type, pushMode, group, /* transformEvents */ true )
    {
    }

    // On the pushing thread, as csp's pushTick. T is the value's type as
    // the engine sees it (by value: never deduced as a reference).
    template<typename T>
    void pushRaw( T value, csp::PushBatch * batch )
    {
        csp::PushEvent * event = RawPushEvent<T>::make( this, std::move( value ) );
        if( batch )
            return batch -> append( event );
        if( group() )
            event -> flagGroupEnd();
        rootEngine() -> schedulePushEvent( event );
    }

    csp::PushEvent * transformRawEvent( csp::PushEvent * raw ) override
    {
        return csp::switchCspType( dataType(), [raw]( auto tag ) -> csp::PushEvent * {
            using T = typename decltype( tag )::type;
            return static_cast<RawPushEvent<T> *>( raw ) -> cook();
        } );
    }
};

// A push batch that knows which push group its events belong to: csp ticks a
// batch as one group, so events of adapters in other groups are refused.
class CApiPushBatch final : public csp::PushBatch
{
public:
    explicit CApiPushBatch( csp::RootEngine * engine ) : csp::PushBatch( engine ), m_engine( engine ) {}

    csp::RootEngine * engine() const { return m_engine; }

    bool admits( csp::PushGroup * group )
    {
        if( !m_used )
        {
            m_used = true;
            m_group = group;
        }
        return m_group == group;
    }

    // While set (not NONE), pushes into this batch are replayed ticks
    // recorded at this time (ccsp_push_batch_replay_at), not live ones.
    csp::DateTime replayTime() const { return m_replayTime; }
    void replayAt( csp::DateTime time ) { m_replayTime = time; }

    // Flags the last event as the end of a batch, as flush does.
    void split()
    {
        if( !empty() )
            last() -> flagGroupEnd();
    }

    // Frees the events added since the last flush without sending them (as
    // csp's engine frees a consumed one: by its adapter's type), releasing
    // the raw ones into their slabs.
    void discard()
    {
        for( csp::PushEvent * event = last(); event; )
        {
            csp::PushEvent * next = event -> next;
            bool raw = dynamic_cast<RawEventsPushInputAdapter *>( event -> adapter() ) != nullptr;
            csp::switchCspType( event -> adapter() -> dataType(), [event, raw]( auto tag ) {
                using T = typename decltype( tag )::type;
                if( raw )
                    static_cast<RawPushEvent<T> *>( event ) -> release();
                else
                    delete static_cast<csp::TypedPushEvent<T> *>( event );
            } );
            event = next;
        }
        clear();
        m_used = false;
    }

    void flushAll()
    {
        flush();
        m_used = false;
    }

    // Forgets the events without sending them (csp cannot free them).
    void abandon() { clear(); }

private:
    csp::RootEngine * m_engine;
    csp::PushGroup * m_group = nullptr;
    bool m_used = false;
    csp::DateTime m_replayTime = csp::DateTime::NONE();
};

CApiPushBatch * asBatch( CCspPushBatchHandle handle ) { return reinterpret_cast<CApiPushBatch *>( handle ); }

// What tells a feed how much of what it pushed the engine has consumed:
// each push input adapter has one. The feed now and then ends what it sends
// with an ack (ccsp_push_batch_ack): an event carrying how many events the
// feed had pushed before it, for a hidden BURST adapter in the same push
// group. csp consumes a group's events in order, holding those of a locked
// group back with their ack, so when an ack is consumed every event before
// it has been (but for those csp defers within the same batch). A BURST
// adapter never locks the group: the acks change no tick. The count is read
// at the end of the cycle, once the burst holds every ack of the cycle.
class AckPort final : public csp::Consumer, public csp::EndCycleListener
{
public:
    AckPort( csp::Engine * engine, csp::PushGroup * group )
        : csp::Consumer( engine ), m_adapter( engine, int64Type(), csp::PushMode::BURST, group )
    {
        m_adapter.addConsumer( this, csp::InputId( 0 ) );
    }

    // Pushes an ack of `pushed` events into the batch.
    void push( int64_t pushed, csp::PushBatch * batch ) { m_adapter.pushTick( std::move( pushed ), batch ); }

    // The count of the last consumed ack (0 before any).
    int64_t consumed() const { return m_consumed.load( std::memory_order_acquire ); }

    const char * name() const override { return "CApiAckPort"; }

    void handleEvent( csp::InputId ) override { rootEngine() -> scheduleEndCycleListener( this ); }

    void onEndCycle() override
    {
        const auto & acks = m_adapter.lastValueTyped<std::vector<int64_t>>();
        if( !acks.empty() )
            m_consumed.store( acks.back(), std::memory_order_release );
    }

    void executeImpl() override {}
    input_iterator inputs() const override { return input_iterator( &m_provider ); }

private:
    static csp::CspTypePtr & int64Type()
    {
        static csp::CspTypePtr s_type = csp::CspType::INT64();
        return s_type;
    }

    csp::PushInputAdapter m_adapter;
    const csp::TimeSeriesProvider * m_provider = &m_adapter;
    std::atomic<int64_t> m_consumed{ 0 };
};

// What the C ABI's push functions reach through a push input adapter's
// handle: a plain push adapter, or one that replays history first (a csp
// PushPullInputAdapter), below.
class PushPort
{
public:
    virtual ~PushPort() = default;

    virtual csp::PushInputAdapter & adapter() = 0;
    // The adapter as csp's push-pull adapter; null when it replays nothing.
    virtual csp::PushPullInputAdapter * replayer() = 0;
    virtual AckPort & ack() = 0;

    CCspType ctype() const { return m_type; }
    const csp::StructMeta * structMeta() const { return m_structMeta; }
    csp::RootEngine * rootEngine() { return adapter().rootEngine(); }

    // T is a plain value type so that the engine sees a TypedPushEvent<T>
    // (or a TypedPushPullEvent<T>).
    template<typename T>
    CCspErrorCode push( T value, CCspType wanted, CCspPushBatchHandle batch )
    {
        if( m_type != wanted )
            return typeMismatch( "this push input adapter", m_type, wanted );
        auto * pushBatch = asBatch( batch );
        if( pushBatch && pushBatch -> engine() != rootEngine() ) [[unlikely]]
            return fail( CCSP_ERROR_INVALID_ARGUMENT, "this push batch belongs to another engine" );
        if( pushBatch && !pushBatch -> admits( adapter().group() ) ) [[unlikely]]
            return fail( CCSP_ERROR_INVALID_ARGUMENT, "a push batch takes events of adapters in one push group (or all in none)" );
        auto * pull = replayer();
        if( pushBatch && !pushBatch -> replayTime().isNone() ) [[unlikely]]
        {
            if( !pull )
                return fail( CCSP_ERROR_INVALID_ARGUMENT, "this push input adapter replays no history (it was made without replays)" );
            // csp refuses a replayed tick once live ones have begun.
            pull -> pushTick( false, pushBatch -> replayTime(), std::move( value ) );
        }
        else if( pull )
            // A live tick ends the replay first.
            pull -> pushTick( true, csp::DateTime::NONE(), std::move( value ), pushBatch );
        else
            static_cast<RawEventsPushInputAdapter &>( adapter() ).pushRaw( std::move( value ), pushBatch );
        return CCSP_OK;
    }

protected:
    PushPort( CCspType type, const csp::StructMeta * structMeta ) : m_type( type ), m_structMeta( structMeta ) {}

private:
    CCspType m_type;
    const csp::StructMeta * m_structMeta;
};

CCspPushInputAdapterHandle asHandle( PushPort * port ) { return reinterpret_cast<CCspPushInputAdapterHandle>( port ); }

// A push input adapter driven by a VTable: on csp's PushInputAdapter, or on
// its PushPullInputAdapter when the run replays history before going live.
template<typename Base>
class CApiPushInputAdapterT final : public Base, public PushPort
{
    static constexpr bool REPLAYS = std::is_same_v<Base, csp::PushPullInputAdapter>;

public:
    CApiPushInputAdapterT( csp::Engine * engine, csp::CspTypePtr & type, csp::PushMode pushMode, HeldPushGroup group,
                           const CCspPushInputAdapterVTable & vtable )
        : Base( engine, type, pushMode, group.get() ), PushPort( toCType( *type ), structMetaOf( *type ) ), m_vtable( vtable ),
          m_group( std::move( group ) ), m_ack( engine, m_group.get() )
    {
    }

    ~CApiPushInputAdapterT() override
    {
        // csp's destructor waits for the end of the replay: make sure it has one.
        if constexpr( REPLAYS )
            if( !m_stopped )
                this -> flagReplayComplete();
        m_vtable.destroy( m_vtable.user_data );
    }

    const char * name() const override { return REPLAYS ? "CApiReplayInputAdapter" : "CApiPushInputAdapter"; }

    void start( csp::DateTime start, csp::DateTime end ) override
    {
        if( m_vtable.start )
            check( m_vtable.start( m_vtable.user_data, asHandle( this -> rootEngine() ), asHandle( static_cast<PushPort *>( this ) ),
                                   start.asNanoseconds(), end.asNanoseconds() ),
                   "push input adapter start" );
        if constexpr( REPLAYS )
        {
            // csp's start waits for the adapter's first replayed tick, which
            // the manager's feed sends once every adapter of the run has
            // started: so it waits for the first engine cycle.
            // The callback captures `this` alone, so that std::function holds
            // it inline: csp's scheduler may drop callbacks it never ran
            // without freeing what they hold.
            m_startTime = start;
            m_endTime = end;
            m_deferredStart = this -> rootEngine() -> scheduleCallback( start, [this]() -> const csp::InputAdapter * {
                m_started = true;
                Base::start( m_startTime, m_endTime );
                return nullptr;
            } );
        }
    }

    void stop() override
    {
        if constexpr( REPLAYS )
        {
            // csp may stop an adapter twice when a run fails: cancel once
            // (a cancelled handle's event is freed).
            if( !m_started && !m_stopped )
                this -> rootEngine() -> cancelCallback( m_deferredStart );
            m_deferredStart = csp::Scheduler::Handle();
            if( !std::exchange( m_stopped, true ) )
                Base::stop();
        }
        checkStop( m_vtable.stop ? m_vtable.stop( m_vtable.user_data ) : CCSP_OK, "push input adapter stop", this -> rootEngine() );
    }

    csp::PushInputAdapter & adapter() override { return *this; }
    csp::PushPullInputAdapter * replayer() override
    {
        if constexpr( REPLAYS )
            return this;
        else
            return nullptr;
    }
    AckPort & ack() override { return m_ack; }

private:
    CCspPushInputAdapterVTable m_vtable;
    HeldPushGroup m_group;
    AckPort m_ack;
    csp::Scheduler::Handle m_deferredStart;
    csp::DateTime m_startTime;
    csp::DateTime m_endTime;
    bool m_started = false;
    bool m_stopped = false;
};

using CApiPushInputAdapter = CApiPushInputAdapterT<RawEventsPushInputAdapter>;
using CApiReplayInputAdapter = CApiPushInputAdapterT<csp::PushPullInputAdapter>;

class CApiOutputAdapter final : public csp::OutputAdapter
{
public:
    CApiOutputAdapter( csp::Engine * engine, const CCspOutputAdapterVTable & vtable ) : csp::OutputAdapter( engine ), m_vtable( vtable ) {}

    ~CApiOutputAdapter() override { m_vtable.destroy( m_vtable.user_data ); }

    const char * name() const override { return "CApiOutputAdapter"; }

    void start() override
    {
        if( m_vtable.start )
            check( m_vtable.start( m_vtable.user_data, asHandle( engine() ), rootEngine() -> startTime().asNanoseconds(),
                                   rootEngine() -> endTime().asNanoseconds() ),
                   "output adapter start" );
    }

    void stop() override
    {
        checkStop( m_vtable.stop ? m_vtable.stop( m_vtable.user_data ) : CCSP_OK, "output adapter stop", rootEngine() );
    }

    void executeImpl() override
    {
        check( m_vtable.execute( m_vtable.user_data, asHandle( engine() ), reinterpret_cast<CCspInputHandle>( const_cast<csp::TimeSeriesProvider *>( input() ) ) ),
               "output adapter execute" );
    }

private:
    CCspOutputAdapterVTable m_vtable;
};

// The manager whose process_next_sim_time_slice runs on this thread, if any:
// managed sim adapters accept pushes only from inside it.
thread_local const csp::AdapterManager * t_simSliceManager = nullptr;

// A push input adapter as built in a simulation: its manager's
// process_next_sim_time_slice pushes each tick at the engine's current time.
class CApiManagedSimInputAdapter final : public csp::ManagedSimInputAdapter
{
public:
    CApiManagedSimInputAdapter( csp::Engine * engine, csp::CspTypePtr & type, csp::AdapterManager * manager, csp::PushMode pushMode,
                                const CCspPushInputAdapterVTable & vtable )
        : csp::ManagedSimInputAdapter( engine, type, manager, pushMode ), m_vtable( vtable ), m_manager( manager ), m_type( toCType( *dataType() ) ),
          m_structMeta( structMetaOf( *dataType() ) )
    {
    }

    ~CApiManagedSimInputAdapter() override { m_vtable.destroy( m_vtable.user_data ); }

    const char * name() const override { return "CApiManagedSimInputAdapter"; }

    void start( csp::DateTime start, csp::DateTime end ) override
    {
        check( m_vtable.start_managed_sim( m_vtable.user_data, asHandle( rootEngine() ), reinterpret_cast<CCspManagedSimInputAdapterHandle>( this ),
                                           start.asNanoseconds(), end.asNanoseconds() ),
               "managed sim input adapter start" );
    }

    void stop() override
    {
        checkStop( m_vtable.stop ? m_vtable.stop( m_vtable.user_data ) : CCSP_OK, "managed sim input adapter stop", rootEngine() );
    }

    CCspType ctype() const { return m_type; }
    const csp::StructMeta * structMeta() const { return m_structMeta; }

    template<typename T>
    CCspErrorCode push( const T & value, CCspType wanted )
    {
        if( m_type != wanted ) [[unlikely]]
            return typeMismatch( "this managed sim input adapter", m_type, wanted );
        if( t_simSliceManager != m_manager ) [[unlikely]]
            return fail( CCSP_ERROR_RUNTIME, "a managed sim input adapter ticks only inside its manager's process_next_sim_time_slice, on the engine thread" );
        pushTick<T>( value );
        return CCSP_OK;
    }

private:
    CCspPushInputAdapterVTable m_vtable;
    const csp::AdapterManager * m_manager;
    CCspType m_type;
    const csp::StructMeta * m_structMeta;
};

// The status() time series of a manager in a simulation: statuses tick at
// the time of the sim time slice that delivers them.
class CApiSimStatusAdapter final : public csp::ManagedSimInputAdapter
{
public:
    CApiSimStatusAdapter( csp::Engine * engine, csp::CspTypePtr & type, csp::AdapterManager * manager, csp::PushMode pushMode )
        : csp::ManagedSimInputAdapter( engine, type, manager, pushMode )
    {
        if( type -> type() != csp::CspType::Type::STRUCT )
            CSP_THROW( csp::TypeError, "a status time series must be of csp.adapters.status.Status" );
        m_meta = static_cast<const csp::CspStructType &>( *type ).meta();
        m_level = m_meta -> getMetaField<int64_t>( "level", "Status" );
        m_code = m_meta -> getMetaField<int64_t>( "status_code", "Status" );
        m_message = m_meta -> getMetaField<std::string>( "msg", "Status" );
    }

    const char * name() const override { return "CApiSimStatusAdapter"; }

    void tick( int64_t level, int64_t code, const std::string & message )
    {
        csp::StructPtr status = m_meta -> create();
        m_level -> setValue( status.get(), level );
        m_code -> setValue( status.get(), code );
        m_message -> setValue( status.get(), message );
        pushTick<csp::StructPtr>( status );
    }

private:
    std::shared_ptr<csp::StructMeta> m_meta;
    std::shared_ptr<csp::Int64StructField> m_level;
    std::shared_ptr<csp::Int64StructField> m_code;
    std::shared_ptr<csp::StringStructField> m_message;
};

class CApiAdapterManager final : public csp::AdapterManager
{
public:
    CApiAdapterManager( csp::Engine * engine, const CCspAdapterManagerVTable & vtable, HeldPushGroup statusGroup )
        : csp::AdapterManager( engine ), m_vtable( vtable ), m_statusGroup( std::move( statusGroup ) )
    {
        const char * name = m_vtable.name ? m_vtable.name( m_vtable.user_data ) : nullptr;
        m_name = name ? name : "CApiAdapterManager";
        if( m_vtable.bind )
            m_vtable.bind( m_vtable.user_data, reinterpret_cast<CCspAdapterManagerHandle>( this ) );
    }

    ~CApiAdapterManager() override { m_vtable.destroy( m_vtable.user_data ); }

    const char * name() const override { return m_name.c_str(); }

    void start( csp::DateTime start, csp::DateTime end ) override
    {
        csp::AdapterManager::start( start, end );
        if( m_vtable.start )
            check( m_vtable.start( m_vtable.user_data, asHandle( engine() ), start.asNanoseconds(), end.asNanoseconds() ),
                   "adapter manager start" );
    }

    void stop() override
    {
        checkStop( m_vtable.stop ? m_vtable.stop( m_vtable.user_data ) : CCSP_OK, "adapter manager stop", rootEngine() );
        csp::AdapterManager::stop();
    }

    csp::DateTime processNextSimTimeSlice( csp::DateTime time ) override
    {
        struct SliceScope
        {
            explicit SliceScope( const csp::AdapterManager * manager ) : previous( t_simSliceManager ) { t_simSliceManager = manager; }
            ~SliceScope() { t_simSliceManager = previous; }
            const csp::AdapterManager * previous;
        } scope( this );

        deliverStatuses();
        if( !m_vtable.process_next_sim_time_slice )
            return csp::DateTime::NONE();
        if( t_lastError.code != CCSP_OK ) [[unlikely]]
            t_lastError = LastError{};
        CCspDateTime next = m_vtable.process_next_sim_time_slice( m_vtable.user_data, time.asNanoseconds() );
        std::exception_ptr failure;
        if( next == CCSP_DATETIME_NONE && t_lastError.code != CCSP_OK )
            failure = callbackError( t_lastError.code, "adapter manager process_next_sim_time_slice" ); // clears it
        deliverStatuses();
        if( failure )
            std::rethrow_exception( failure );
        return next == CCSP_DATETIME_NONE ? csp::DateTime::NONE() : csp::DateTime::fromNanoseconds( next );
    }

    // The status() input: csp's push status adapter in realtime, a managed
    // sim one in a simulation (one per manager, as csp makes it).
    csp::InputAdapter * statusAdapter( csp::CspTypePtr & type, csp::PushMode pushMode )
    {
        if( rootEngine() -> configuredRealtime() )
            return createStatusAdapter( type, pushMode );
        if( !m_simStatus )
            m_simStatus = engine() -> createOwnedObject<CApiSimStatusAdapter>( type, this, pushMode );
        return m_simStatus;
    }

    void report( int64_t level, int64_t code, std::string message )
    {
        if( !m_simStatus )
            return pushStatus( level, code, message );
        std::lock_guard<std::mutex> lock( m_statusMutex );
        m_pendingStatuses.push_back( PendingStatus{ level, code, std::move( message ) } );
        m_statusesPending.store( true, std::memory_order_release );
    }

protected:
    // Statuses tick in the push group of the manager's adapters, so that they
    // keep their place among the adapters' batches.
    csp::PushGroup * statusPushGroup() override { return m_statusGroup.get(); }

private:
    struct PendingStatus
    {
        int64_t level;
        int64_t code;
        std::string message;
    };

    // Runs twice per time slice: the lock only when a status is queued.
    void deliverStatuses()
    {
        if( m_statusesPending.load( std::memory_order_acquire ) ) [[unlikely]]
            deliverQueuedStatuses();
    }

    [[gnu::noinline]] void deliverQueuedStatuses()
    {
        std::vector<PendingStatus> due;
        {
            std::lock_guard<std::mutex> lock( m_statusMutex );
            due.swap( m_pendingStatuses );
            m_statusesPending.store( false, std::memory_order_relaxed );
        }
        for( const auto & status : due )
            m_simStatus -> tick( status.level, status.code, status.message );
    }

    CCspAdapterManagerVTable m_vtable;
    HeldPushGroup m_statusGroup;
    std::string m_name;
    CApiSimStatusAdapter * m_simStatus = nullptr;
    std::mutex m_statusMutex;
    std::vector<PendingStatus> m_pendingStatuses;
    std::atomic<bool> m_statusesPending{ false };
};

// csp's StatusLevel for a C API level, or -1 for an unknown one.
int64_t toCspStatusLevel( CCspStatusLevel level )
{
    switch( level )
    {
        case CCSP_STATUS_LEVEL_CRITICAL: return csp::StatusLevel::CRITICAL;
        case CCSP_STATUS_LEVEL_ERROR:    return csp::StatusLevel::ERROR;
        case CCSP_STATUS_LEVEL_WARNING:  return csp::StatusLevel::WARNING;
        case CCSP_STATUS_LEVEL_INFO:     return csp::StatusLevel::INFO;
        case CCSP_STATUS_LEVEL_DEBUG:    return csp::StatusLevel::DEBUG;
        default:                         return -1;
    }
}

PushPort * asPushAdapter( CCspPushInputAdapterHandle handle ) { return reinterpret_cast<PushPort *>( handle ); }

const csp::TimeSeriesProvider * asInput( CCspInputHandle handle ) { return reinterpret_cast<const csp::TimeSeriesProvider *>( handle ); }

// ---------------------------------------------------------------- Python creators


// The bridge's manager behind `manager`; `what` needs one.
CApiAdapterManager * ourManager( csp::AdapterManager * manager, const char * what )
{
    auto * ours = dynamic_cast<CApiAdapterManager *>( manager );
    if( !ours )
        CSP_THROW( csp::TypeError, what << " needs an adapter manager made by _c_api_adapter_manager_bridge" );
    return ours;
}

csp::InputAdapter * createManagedSimInputAdapter( csp::AdapterManager * manager, csp::Engine * engine, csp::CspTypePtr & type, csp::PushMode pushMode,
                                                  const CCspPushInputAdapterVTable & vtable )
{
    auto * ours = ourManager( manager, "in a simulation (csp.run(realtime=False)) a push input adapter" );
    if( !vtable.start_managed_sim )
        CSP_THROW( csp::ValueError, "this push input adapter runs in realtime only (its VTable has no start_managed_sim): run the graph with realtime=True" );
    return engine -> createOwnedObject<CApiManagedSimInputAdapter>( type, ours, pushMode, vtable );
}

csp::InputAdapter * createPushInputAdapter( csp::AdapterManager * manager, csp::python::PyEngine * pyEngine, PyObject * pyType,
                                            csp::PushMode pushMode, PyObject * args )
{
    PyObject * capsule = nullptr;
    PyObject * pyPushGroup = nullptr;
    int replays = 0;
    if( !PyArg_ParseTuple( args, "OO|p", &capsule, &pyPushGroup, &replays ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );

    HeldPushGroup pushGroup( pyPushGroup );
    auto vtable = takeVTable<CCspPushInputAdapterVTable>( capsule );
    auto & cspType = csp::python::pyTypeAsCspType( pyType );
    CCspType graphType = toCType( *cspType );
    if( vtable.value_type != CCSP_TYPE_UNKNOWN && vtable.value_type != graphType )
        CSP_THROW( csp::TypeError, "the push input adapter pushes " << typeName( vtable.value_type ) << " but the graph declared its time series as ts["
                                                                    << csp::python::pyTypeToString( pyType ) << "]" );
    auto * engine = pyEngine -> engine();
    csp::InputAdapter * adapter = nullptr;
    if( !engine -> rootEngine() -> configuredRealtime() )
        adapter = createManagedSimInputAdapter( manager, engine, cspType, pushMode, vtable );
    else if( replays )
        adapter = engine -> createOwnedObject<CApiReplayInputAdapter>( cspType, pushMode, std::move( pushGroup ), vtable );
    else
        adapter = engine -> createOwnedObject<CApiPushInputAdapter>( cspType, pushMode, std::move( pushGroup ), vtable );
    markConsumed( capsule );
    return adapter;
}

csp::InputAdapter * createStatusAdapter( csp::AdapterManager * manager, csp::python::PyEngine *, PyObject * pyType, csp::PushMode pushMode,
                                         PyObject * )
{
    return ourManager( manager, "a status time series" ) -> statusAdapter( csp::python::pyTypeAsCspType( pyType ), pushMode );
}

csp::OutputAdapter * createOutputAdapter( csp::AdapterManager *, csp::python::PyEngine * pyEngine, PyObject * args )
{
    PyObject * pyType = nullptr;
    PyObject * capsule = nullptr;
    if( !PyArg_ParseTuple( args, "OO", &pyType, &capsule ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );

    auto vtable = takeVTable<CCspOutputAdapterVTable>( capsule );
    auto * adapter = pyEngine -> engine() -> createOwnedObject<CApiOutputAdapter>( vtable );
    markConsumed( capsule );
    return adapter;
}

PyObject * c_api_push_input_adapter( PyObject *, PyObject * args )
{
    return csp::python::PyInputAdapterWrapper::createAdapter( createPushInputAdapter, args );
}

PyObject * c_api_status_adapter( PyObject *, PyObject * args )
{
    return csp::python::PyInputAdapterWrapper::createAdapter( createStatusAdapter, args );
}

PyObject * c_api_output_adapter( PyObject *, PyObject * args )
{
    return csp::python::PyOutputAdapterWrapper::createAdapter( createOutputAdapter, args );
}

PyObject * c_api_adapter_manager_bridge( PyObject *, PyObject * args )
{
    CSP_BEGIN_METHOD;
    PyObject * pyEngine = nullptr;
    PyObject * capsule = nullptr;
    PyObject * pyPushGroup = Py_None;
    if( !PyArg_ParseTuple( args, "O!O|O", &csp::python::PyEngine::PyType, &pyEngine, &capsule, &pyPushGroup ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );

    HeldPushGroup statusGroup( pyPushGroup );
    auto vtable = takeVTable<CCspAdapterManagerVTable>( capsule );
    auto * engine = static_cast<csp::python::PyEngine *>( pyEngine ) -> engine();
    auto * manager = engine -> createOwnedObject<CApiAdapterManager>( vtable, std::move( statusGroup ) );
    markConsumed( capsule );
    return PyCapsule_New( manager, "adapterMgr", nullptr );
    CSP_RETURN_NULL;
}

PyMethodDef g_bridgeMethods[] = {
    { "_c_api_push_input_adapter", c_api_push_input_adapter, METH_VARARGS,
      "_c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, push_group[, replays])): build a push input adapter from a capsule; "
      "with replays=True (realtime) it replays history before its live ticks (csp's PushPullInputAdapter)" },
    { "_c_api_output_adapter", c_api_output_adapter, METH_VARARGS,
      "_c_api_output_adapter(mgr, engine, (input_pytype, capsule)): build an output adapter from a capsule" },
    { "_c_api_adapter_manager_bridge", c_api_adapter_manager_bridge, METH_VARARGS,
      "_c_api_adapter_manager_bridge(engine, capsule, push_group=None): build an adapter manager from a capsule; its statuses tick in push_group" },
    { "_c_api_status_adapter", c_api_status_adapter, METH_VARARGS,
      "_c_api_status_adapter(mgr, engine, pytype, push_mode, ()): the status() time series of a bridge adapter manager, in realtime and in simulation" },
    { nullptr, nullptr, 0, nullptr } };

// Runs on every tick of an output adapter, so it stays small: nothing here
// throws, and the type is compared as csp's own enum (the C type is only
// worked out for the error message).
template<csp::CspType::Type::_enum CSP_TYPE, typename T, typename Read>
CCspErrorCode readLast( CCspInputHandle handle, CCspType wanted, T * out, Read && read ) noexcept
{
    if( !handle || !out ) [[unlikely]]
        return fail( CCSP_ERROR_NULL_POINTER, "NULL input handle or output pointer" );
    const auto * input = asInput( handle );
    if( input -> type() -> type() != CSP_TYPE ) [[unlikely]]
        return typeMismatch( "this output adapter's input", toCType( *input -> type() ), wanted );
    if( !input -> valid() ) [[unlikely]]
        return fail( CCSP_ERROR_VALUE, "the output adapter's input has not ticked yet" );
    *out = read( input );
    return CCSP_OK;
}

template<typename T>
CCspErrorCode pushValue( CCspPushInputAdapterHandle handle, T value, CCspType wanted, CCspPushBatchHandle batch )
{
    if( !handle )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push input adapter handle" );
    return guarded( [&]() { return asPushAdapter( handle ) -> push( std::move( value ), wanted, batch ); } );
}

// Whether `value` is of the adapter's struct type `expected` (or derived from
// it); true when the adapter has none (the push then fails on the type).
bool isOfType( const csp::Struct & value, const csp::StructMeta * expected )
{
    return !expected || csp::StructMeta::isDerivedType( value.meta(), expected );
}

[[gnu::cold, gnu::noinline]] CCspErrorCode structMismatch( const char * what, const csp::Struct & value, const csp::StructMeta & expected )
{
    return fail( CCSP_ERROR_TYPE_MISMATCH, std::string( what ) + " pushes " + expected.name() + ", not " + value.meta() -> name() );
}

CApiManagedSimInputAdapter * asSimAdapter( CCspManagedSimInputAdapterHandle handle ) { return reinterpret_cast<CApiManagedSimInputAdapter *>( handle ); }

template<typename T>
CCspErrorCode pushSimValue( CCspManagedSimInputAdapterHandle handle, const T & value, CCspType wanted )
{
    if( !handle )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL managed sim input adapter handle" );
    return guarded( [&]() { return asSimAdapter( handle ) -> push( value, wanted ); } );
}

// ---------------------------------------------------------------- structs

csp::Struct * asStruct( CCspStructHandle handle ) { return reinterpret_cast<csp::Struct *>( handle ); }
const csp::StructMeta * asMeta( CCspStructMetaHandle handle ) { return reinterpret_cast<const csp::StructMeta *>( handle ); }
CCspStructMetaHandle asHandle( const csp::StructMeta * meta ) { return reinterpret_cast<CCspStructMetaHandle>( const_cast<csp::StructMeta *>( meta ) ); }
const csp::StructField * asField( CCspStructFieldHandle handle ) { return reinterpret_cast<const csp::StructField *>( handle ); }

// Takes over a struct reference (see ccsp_struct_create).
csp::StructPtr adopt( CCspStructHandle handle ) { return csp::StructPtr( asStruct( handle ) ); }

// Checks the handles and that `field` holds a CSP_TYPE; f then sets or reads it.
template<csp::CspType::Type::_enum CSP_TYPE, typename F>
CCspErrorCode withField( CCspStructHandle s, CCspStructFieldHandle field, CCspType wanted, F && f ) noexcept
{
    if( !s || !field ) [[unlikely]]
        return fail( CCSP_ERROR_NULL_POINTER, "NULL struct or field handle" );
    const auto * structField = asField( field );
    if( structField -> type() -> type() != CSP_TYPE ) [[unlikely]]
        return typeMismatch( ( "struct field " + structField -> fieldname() ).c_str(), toCType( *structField -> type() ), wanted );
    return f( asStruct( s ), structField );
}

template<csp::CspType::Type::_enum CSP_TYPE, typename T>
CCspErrorCode setField( CCspStructHandle s, CCspStructFieldHandle field, CCspType wanted, const T & value ) noexcept
{
    return withField<CSP_TYPE>( s, field, wanted, [&]( csp::Struct * target, const csp::StructField * structField ) {
        structField -> setValue<T>( target, value );
        return CCSP_OK;
    } );
}

template<csp::CspType::Type::_enum CSP_TYPE, typename T, typename Out>
CCspErrorCode getField( CCspStructHandle s, CCspStructFieldHandle field, CCspType wanted, Out * out ) noexcept
{
    if( !out ) [[unlikely]]
        return fail( CCSP_ERROR_NULL_POINTER, "NULL output pointer" );
    return withField<CSP_TYPE>( s, field, wanted, [&]( csp::Struct * source, const csp::StructField * structField ) {
        if( !structField -> isSet( source ) )
            return fail( CCSP_ERROR_KEY_NOT_FOUND, "struct field " + structField -> fieldname() + " is not set" );
        const T & value = structField -> value<T>( source );
        if constexpr( std::is_same_v<T, csp::DateTime> || std::is_same_v<T, csp::TimeDelta> )
            *out = value.asNanoseconds();
        else
            *out = value;
        return CCSP_OK;
    } );
}

} // namespace

// ---------------------------------------------------------------- C ABI

extern "C" {

void ccsp_set_last_error( CCspErrorCode code, const char * message, size_t len )
{
    fail( code, message ? std::string_view( message, len ) : std::string_view() );
}

const char * ccsp_last_error_message( void ) { return t_lastError.message.c_str(); }

void ccsp_clear_last_error( void ) { t_lastError = LastError{}; }

void * ccsp_push_input_adapter_capsule_new( const CCspPushInputAdapterVTable * vtable ) { return newCapsule( vtable ); }
void * ccsp_output_adapter_capsule_new( const CCspOutputAdapterVTable * vtable ) { return newCapsule( vtable ); }
void * ccsp_adapter_manager_capsule_new( const CCspAdapterManagerVTable * vtable ) { return newCapsule( vtable ); }

int ccsp_register_bridge_functions( void * py_module )
{
    return PyModule_AddFunctions( static_cast<PyObject *>( py_module ), g_bridgeMethods );
}

CCspDateTime ccsp_engine_now( CCspEngineHandle engine )
{
    return engine ? asEngine( engine ) -> rootEngine() -> now().asNanoseconds() : CCSP_DATETIME_NONE;
}

bool ccsp_engine_is_realtime( CCspEngineHandle engine )
{
    return engine && asEngine( engine ) -> rootEngine() -> configuredRealtime();
}

CCspErrorCode ccsp_engine_shutdown( CCspEngineHandle engine )
{
    if( !engine )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL engine handle" );
    return guarded( [&]() {
        asEngine( engine ) -> rootEngine() -> shutdown();
        return CCSP_OK;
    } );
}

CCspErrorCode ccsp_engine_shutdown_with_error_code( CCspEngineHandle engine, CCspErrorCode code, const char * message, size_t len )
{
    if( !engine )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL engine handle" );
    return guarded( [&]() {
        std::string text( message ? message : "", message ? len : 0 );
        asEngine( engine ) -> rootEngine() -> shutdown( deferredError( code, text ) );
        return CCSP_OK;
    } );
}

CCspErrorCode ccsp_engine_shutdown_with_error( CCspEngineHandle engine, const char * message, size_t len )
{
    return ccsp_engine_shutdown_with_error_code( engine, CCSP_ERROR_RUNTIME, message, len );
}

CCspErrorCode ccsp_adapter_manager_push_status( CCspAdapterManagerHandle manager, CCspStatusLevel level, int64_t status_code,
                                                const char * message, size_t len )
{
    if( !manager )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL adapter manager handle" );
    if( !message && len )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL status message with a non-zero length" );
    return guarded( [&]() {
        int64_t cspLevel = toCspStatusLevel( level );
        if( cspLevel < 0 )
            return fail( CCSP_ERROR_INVALID_ARGUMENT, "status level " + std::to_string( level ) + " is not a CCspStatusLevel (0 to 4)" );
        reinterpret_cast<CApiAdapterManager *>( manager ) -> report( cspLevel, status_code, std::string( message ? message : "", len ) );
        return CCSP_OK;
    } );
}

CCspType ccsp_push_input_adapter_type( CCspPushInputAdapterHandle adapter )
{
    return adapter ? asPushAdapter( adapter ) -> ctype() : CCSP_TYPE_UNKNOWN;
}

CCspErrorCode ccsp_push_bool( CCspPushInputAdapterHandle adapter, bool value, CCspPushBatchHandle batch )
{
    return pushValue( adapter, value, CCSP_TYPE_BOOL, batch );
}

CCspErrorCode ccsp_push_int64( CCspPushInputAdapterHandle adapter, int64_t value, CCspPushBatchHandle batch )
{
    return pushValue( adapter, value, CCSP_TYPE_INT64, batch );
}

CCspErrorCode ccsp_push_double( CCspPushInputAdapterHandle adapter, double value, CCspPushBatchHandle batch )
{
    return pushValue( adapter, value, CCSP_TYPE_DOUBLE, batch );
}

CCspErrorCode ccsp_push_string( CCspPushInputAdapterHandle adapter, const char * data, size_t len, CCspPushBatchHandle batch )
{
    if( !data && len )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL string data with a non-zero length" );
    if( !adapter )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push input adapter handle" );
    return guarded( [&]() { return asPushAdapter( adapter ) -> push( std::string( data ? data : "", len ), CCSP_TYPE_STRING, batch ); } );
}

CCspErrorCode ccsp_push_datetime( CCspPushInputAdapterHandle adapter, CCspDateTime value, CCspPushBatchHandle batch )
{
    return pushValue( adapter, csp::DateTime::fromNanoseconds( value ), CCSP_TYPE_DATETIME, batch );
}

CCspErrorCode ccsp_push_timedelta( CCspPushInputAdapterHandle adapter, CCspTimeDelta value, CCspPushBatchHandle batch )
{
    return pushValue( adapter, csp::TimeDelta::fromNanoseconds( value ), CCSP_TYPE_TIMEDELTA, batch );
}

CCspStructMetaHandle ccsp_push_input_adapter_struct_meta( CCspPushInputAdapterHandle adapter )
{
    return adapter ? asHandle( asPushAdapter( adapter ) -> structMeta() ) : nullptr;
}

CCspErrorCode ccsp_push_input_adapter_push_struct( CCspPushInputAdapterHandle adapter, CCspStructHandle value, CCspPushBatchHandle batch )
{
    csp::StructPtr owned = adopt( value );
    if( !adapter || !value )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push input adapter or struct handle" );
    if( !isOfType( *owned, asPushAdapter( adapter ) -> structMeta() ) ) [[unlikely]]
        return structMismatch( "this push input adapter", *owned, *asPushAdapter( adapter ) -> structMeta() );
    return guarded( [&]() { return asPushAdapter( adapter ) -> push( std::move( owned ), CCSP_TYPE_STRUCT, batch ); } );
}

CCspType ccsp_managed_sim_input_adapter_type( CCspManagedSimInputAdapterHandle adapter )
{
    return adapter ? asSimAdapter( adapter ) -> ctype() : CCSP_TYPE_UNKNOWN;
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_bool( CCspManagedSimInputAdapterHandle adapter, bool value )
{
    return pushSimValue( adapter, value, CCSP_TYPE_BOOL );
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_int64( CCspManagedSimInputAdapterHandle adapter, int64_t value )
{
    return pushSimValue( adapter, value, CCSP_TYPE_INT64 );
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_double( CCspManagedSimInputAdapterHandle adapter, double value )
{
    return pushSimValue( adapter, value, CCSP_TYPE_DOUBLE );
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_string( CCspManagedSimInputAdapterHandle adapter, const char * data, size_t len )
{
    if( !data && len )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL string data with a non-zero length" );
    if( !adapter )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL managed sim input adapter handle" );
    return guarded( [&]() { return asSimAdapter( adapter ) -> push( std::string( data ? data : "", len ), CCSP_TYPE_STRING ); } );
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_datetime( CCspManagedSimInputAdapterHandle adapter, CCspDateTime value )
{
    return pushSimValue( adapter, csp::DateTime::fromNanoseconds( value ), CCSP_TYPE_DATETIME );
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_timedelta( CCspManagedSimInputAdapterHandle adapter, CCspTimeDelta value )
{
    return pushSimValue( adapter, csp::TimeDelta::fromNanoseconds( value ), CCSP_TYPE_TIMEDELTA );
}

CCspStructMetaHandle ccsp_managed_sim_input_adapter_struct_meta( CCspManagedSimInputAdapterHandle adapter )
{
    return adapter ? asHandle( asSimAdapter( adapter ) -> structMeta() ) : nullptr;
}

CCspErrorCode ccsp_managed_sim_input_adapter_push_struct( CCspManagedSimInputAdapterHandle adapter, CCspStructHandle value )
{
    csp::StructPtr owned = adopt( value );
    if( !adapter || !value )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL managed sim input adapter or struct handle" );
    if( !isOfType( *owned, asSimAdapter( adapter ) -> structMeta() ) ) [[unlikely]]
        return structMismatch( "this managed sim input adapter", *owned, *asSimAdapter( adapter ) -> structMeta() );
    return guarded( [&]() { return asSimAdapter( adapter ) -> push( owned, CCSP_TYPE_STRUCT ); } );
}

CCspPushBatchHandle ccsp_push_batch_create( CCspEngineHandle engine )
{
    if( !engine )
    {
        fail( CCSP_ERROR_NULL_POINTER, "NULL engine handle" );
        return nullptr;
    }
    auto * batch = new( std::nothrow ) CApiPushBatch( asEngine( engine ) -> rootEngine() );
    if( !batch )
        fail( CCSP_ERROR_OUT_OF_MEMORY, "out of memory" );
    return reinterpret_cast<CCspPushBatchHandle>( batch );
}

CCspPushBatchHandle ccsp_push_batch_new( CCspPushInputAdapterHandle adapter )
{
    if( !adapter )
    {
        fail( CCSP_ERROR_NULL_POINTER, "NULL push input adapter handle" );
        return nullptr;
    }
    return ccsp_push_batch_create( asHandle( asPushAdapter( adapter ) -> rootEngine() ) );
}

CCspErrorCode ccsp_push_batch_flush( CCspPushBatchHandle batch )
{
    if( !batch )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push batch handle" );
    return guarded( [&]() {
        asBatch( batch ) -> flushAll();
        return CCSP_OK;
    } );
}

CCspErrorCode ccsp_push_batch_replay_at( CCspPushBatchHandle batch, CCspDateTime time )
{
    if( !batch )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push batch handle" );
    asBatch( batch ) -> replayAt( time == CCSP_DATETIME_NONE ? csp::DateTime::NONE() : csp::DateTime::fromNanoseconds( time ) );
    return CCSP_OK;
}

CCspErrorCode ccsp_push_input_adapter_replay_complete( CCspPushInputAdapterHandle adapter )
{
    if( !adapter )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push input adapter handle" );
    return guarded( [&]() {
        if( auto * pull = asPushAdapter( adapter ) -> replayer() )
            pull -> flagReplayComplete();
        return CCSP_OK;
    } );
}

CCspErrorCode ccsp_push_batch_ack( CCspPushBatchHandle batch, CCspPushInputAdapterHandle adapter, uint64_t pushed )
{
    if( !batch || !adapter )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push batch or push input adapter handle" );
    auto * port = asPushAdapter( adapter );
    auto * pushBatch = asBatch( batch );
    if( pushBatch -> engine() != port -> rootEngine() ) [[unlikely]]
        return fail( CCSP_ERROR_INVALID_ARGUMENT, "this push batch belongs to another engine" );
    if( !pushBatch -> admits( port -> adapter().group() ) ) [[unlikely]]
        return fail( CCSP_ERROR_INVALID_ARGUMENT, "a push batch takes events of adapters in one push group (or all in none)" );
    return guarded( [&]() {
        port -> ack().push( static_cast<int64_t>( pushed ), pushBatch );
        return CCSP_OK;
    } );
}

uint64_t ccsp_push_input_adapter_consumed( CCspPushInputAdapterHandle adapter )
{
    return adapter ? static_cast<uint64_t>( asPushAdapter( adapter ) -> ack().consumed() ) : 0;
}

bool ccsp_push_input_adapter_is_non_collapsing( CCspPushInputAdapterHandle adapter )
{
    return adapter && asPushAdapter( adapter ) -> adapter().pushMode() == csp::PushMode::NON_COLLAPSING;
}

CCspErrorCode ccsp_push_batch_split( CCspPushBatchHandle batch )
{
    if( !batch )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL push batch handle" );
    asBatch( batch ) -> split();
    return CCSP_OK;
}

void ccsp_push_batch_discard( CCspPushBatchHandle batch )
{
    if( batch )
        guarded( [&]() {
            asBatch( batch ) -> discard();
            return CCSP_OK;
        } );
}

void ccsp_push_batch_destroy( CCspPushBatchHandle batch )
{
    guarded( [&]() {
        delete asBatch( batch );
        return CCSP_OK;
    } );
}

void ccsp_push_batch_abandon( CCspPushBatchHandle batch )
{
    if( batch )
        asBatch( batch ) -> abandon();
    ccsp_push_batch_destroy( batch );
}

CCspType ccsp_input_type( CCspInputHandle input )
{
    return input ? toCType( *asInput( input ) -> type() ) : CCSP_TYPE_UNKNOWN;
}

CCspErrorCode ccsp_input_get_last_bool( CCspInputHandle input, bool * out )
{
    return readLast<csp::CspType::Type::BOOL>( input, CCSP_TYPE_BOOL, out, []( auto * ts ) { return ts -> template lastValueTyped<bool>(); } );
}

CCspErrorCode ccsp_input_get_last_int64( CCspInputHandle input, int64_t * out )
{
    return readLast<csp::CspType::Type::INT64>( input, CCSP_TYPE_INT64, out, []( auto * ts ) { return ts -> template lastValueTyped<int64_t>(); } );
}

CCspErrorCode ccsp_input_get_last_double( CCspInputHandle input, double * out )
{
    return readLast<csp::CspType::Type::DOUBLE>( input, CCSP_TYPE_DOUBLE, out, []( auto * ts ) { return ts -> template lastValueTyped<double>(); } );
}

CCspErrorCode ccsp_input_get_last_string( CCspInputHandle input, const char ** data, size_t * len )
{
    if( !len )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL length pointer" );
    return readLast<csp::CspType::Type::STRING>( input, CCSP_TYPE_STRING, data, [len]( auto * ts ) {
        const auto & value = ts -> template lastValueTyped<csp::CspType::StringCType>();
        *len = value.size();
        return value.data();
    } );
}

CCspErrorCode ccsp_input_get_last_datetime( CCspInputHandle input, CCspDateTime * out )
{
    return readLast<csp::CspType::Type::DATETIME>( input, CCSP_TYPE_DATETIME, out, []( auto * ts ) { return ts -> template lastValueTyped<csp::DateTime>().asNanoseconds(); } );
}

CCspErrorCode ccsp_input_get_last_timedelta( CCspInputHandle input, CCspTimeDelta * out )
{
    return readLast<csp::CspType::Type::TIMEDELTA>( input, CCSP_TYPE_TIMEDELTA, out, []( auto * ts ) { return ts -> template lastValueTyped<csp::TimeDelta>().asNanoseconds(); } );
}

CCspErrorCode ccsp_input_get_last_struct( CCspInputHandle input, CCspStructHandle * out )
{
    return readLast<csp::CspType::Type::STRUCT>( input, CCSP_TYPE_STRUCT, out, []( auto * ts ) {
        return reinterpret_cast<CCspStructHandle>( const_cast<csp::Struct *>( ts -> template lastValueTyped<csp::StructPtr>().get() ) );
    } );
}

const char * ccsp_struct_meta_name( CCspStructMetaHandle meta ) { return meta ? asMeta( meta ) -> name().c_str() : nullptr; }

size_t ccsp_struct_meta_field_count( CCspStructMetaHandle meta ) { return meta ? asMeta( meta ) -> fields().size() : 0; }

CCspStructFieldHandle ccsp_struct_meta_field_by_name( CCspStructMetaHandle meta, const char * name )
{
    if( !meta || !name )
        return nullptr;
    return reinterpret_cast<CCspStructFieldHandle>( asMeta( meta ) -> field( name ).get() );
}

const char * ccsp_struct_field_name( CCspStructFieldHandle field ) { return field ? asField( field ) -> fieldname().c_str() : nullptr; }

CCspType ccsp_struct_field_type( CCspStructFieldHandle field ) { return field ? toCType( *asField( field ) -> type() ) : CCSP_TYPE_UNKNOWN; }

CCspStructMetaHandle ccsp_struct_meta( CCspStructHandle s ) { return s ? asHandle( asStruct( s ) -> meta() ) : nullptr; }

CCspStructHandle ccsp_struct_create( CCspStructMetaHandle meta )
{
    if( !meta )
    {
        fail( CCSP_ERROR_NULL_POINTER, "NULL struct meta handle" );
        return nullptr;
    }
    CCspStructHandle created = nullptr;
    guarded( [&]() {
        created = reinterpret_cast<CCspStructHandle>( asMeta( meta ) -> createRaw() );
        return CCSP_OK;
    } );
    return created;
}

void ccsp_struct_destroy( CCspStructHandle s )
{
    if( s )
        adopt( s ).reset();
}

bool ccsp_struct_field_is_set( CCspStructHandle s, CCspStructFieldHandle field )
{
    return s && field && asField( field ) -> isSet( asStruct( s ) );
}

CCspErrorCode ccsp_struct_set_bool( CCspStructHandle s, CCspStructFieldHandle field, bool value )
{
    return setField<csp::CspType::Type::BOOL>( s, field, CCSP_TYPE_BOOL, value );
}

CCspErrorCode ccsp_struct_set_int64( CCspStructHandle s, CCspStructFieldHandle field, int64_t value )
{
    return setField<csp::CspType::Type::INT64>( s, field, CCSP_TYPE_INT64, value );
}

CCspErrorCode ccsp_struct_set_double( CCspStructHandle s, CCspStructFieldHandle field, double value )
{
    return setField<csp::CspType::Type::DOUBLE>( s, field, CCSP_TYPE_DOUBLE, value );
}

CCspErrorCode ccsp_struct_set_string( CCspStructHandle s, CCspStructFieldHandle field, const char * data, size_t len )
{
    if( !data && len )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL string data with a non-zero length" );
    return withField<csp::CspType::Type::STRING>( s, field, CCSP_TYPE_STRING, [&]( csp::Struct * target, const csp::StructField * structField ) {
        return guarded( [&]() {
            static_cast<const csp::StringStructField *>( structField ) -> setValue( target, csp::CspType::StringCType( data ? data : "", len ) );
            return CCSP_OK;
        } );
    } );
}

CCspErrorCode ccsp_struct_set_datetime( CCspStructHandle s, CCspStructFieldHandle field, CCspDateTime value )
{
    return setField<csp::CspType::Type::DATETIME>( s, field, CCSP_TYPE_DATETIME, csp::DateTime::fromNanoseconds( value ) );
}

CCspErrorCode ccsp_struct_set_timedelta( CCspStructHandle s, CCspStructFieldHandle field, CCspTimeDelta value )
{
    return setField<csp::CspType::Type::TIMEDELTA>( s, field, CCSP_TYPE_TIMEDELTA, csp::TimeDelta::fromNanoseconds( value ) );
}

CCspErrorCode ccsp_struct_get_bool( CCspStructHandle s, CCspStructFieldHandle field, bool * out )
{
    return getField<csp::CspType::Type::BOOL, bool>( s, field, CCSP_TYPE_BOOL, out );
}

CCspErrorCode ccsp_struct_get_int64( CCspStructHandle s, CCspStructFieldHandle field, int64_t * out )
{
    return getField<csp::CspType::Type::INT64, int64_t>( s, field, CCSP_TYPE_INT64, out );
}

CCspErrorCode ccsp_struct_get_double( CCspStructHandle s, CCspStructFieldHandle field, double * out )
{
    return getField<csp::CspType::Type::DOUBLE, double>( s, field, CCSP_TYPE_DOUBLE, out );
}

CCspErrorCode ccsp_struct_get_string( CCspStructHandle s, CCspStructFieldHandle field, const char ** data, size_t * len )
{
    if( !data || !len )
        return fail( CCSP_ERROR_NULL_POINTER, "NULL output pointer" );
    return withField<csp::CspType::Type::STRING>( s, field, CCSP_TYPE_STRING, [&]( csp::Struct * source, const csp::StructField * structField ) {
        if( !structField -> isSet( source ) )
            return fail( CCSP_ERROR_KEY_NOT_FOUND, "struct field " + structField -> fieldname() + " is not set" );
        const auto & value = structField -> value<csp::CspType::StringCType>( source );
        *data = value.data();
        *len = value.size();
        return CCSP_OK;
    } );
}

CCspErrorCode ccsp_struct_get_datetime( CCspStructHandle s, CCspStructFieldHandle field, CCspDateTime * out )
{
    return getField<csp::CspType::Type::DATETIME, csp::DateTime>( s, field, CCSP_TYPE_DATETIME, out );
}

CCspErrorCode ccsp_struct_get_timedelta( CCspStructHandle s, CCspStructFieldHandle field, CCspTimeDelta * out )
{
    return getField<csp::CspType::Type::TIMEDELTA, csp::TimeDelta>( s, field, CCSP_TYPE_TIMEDELTA, out );
}

} // extern "C"
