"""Checks that the running csp is the one the extension was built against.

The extension's C++ bridge is compiled against csp's C++ headers, which have no
stable ABI: running it with another csp version could crash or corrupt data.
"""

import csp


def check_csp_version() -> None:
    """Raise ImportError when csp's version differs from the build's."""
    try:
        from ._native import CSP_BUILD_VERSION
    except ImportError as error:
        raise ImportError(
            f"{__package__}'s Rust extension failed to load with csp {csp.__version__} ({error}). "
            "Rebuild it against the installed csp: pip install --force-reinstall --no-deps ."
        ) from error
    if CSP_BUILD_VERSION != csp.__version__:
        raise ImportError(
            f"{__package__} was built against csp {CSP_BUILD_VERSION} but csp {csp.__version__} is installed. "
            f"Rebuild it against the installed csp (pip install --force-reinstall --no-deps .) "
            f"or install csp=={CSP_BUILD_VERSION}."
        )


check_csp_version()
