"""Ownership of one library handle, safe across threads."""
import threading

# ctypes releases the GIL during every library call, so another thread can
# close an object while a call still reads its handle. Each call therefore
# holds the handle (a use count under this lock, held only to count), and
# close() leaves the free to the last call still running. One lock for all
# handles: it is held for a few bytecodes, never across a library call.
_uses_lock = threading.Lock()


class _Held:
    """``with owner._held() as handle``: the handle stays valid until the
    block ends, whatever other threads do to its owner meanwhile."""

    __slots__ = ("_owners", "_single")

    def __init__(self, owners, single):
        self._owners = owners
        self._single = single

    def __enter__(self):
        handles = []
        with _uses_lock:
            for owner in self._owners:
                handle = owner.__dict__.get("_handle")
                if not handle:
                    raise ValueError("operation on a closed %s" % type(owner).__name__)
                handles.append(handle)
            for owner in self._owners:
                owner._uses += 1
        return handles[0] if self._single else handles

    def __exit__(self, *exception):
        for owner in self._owners:
            owner._release()


def held(owners):
    """Holds the handles of several objects at once (all or none):
    ``with held(objects) as handles``."""
    return _Held(tuple(owners), False)


class Handle:
    """Owns one handle of the C library and frees it exactly once: on
    close(), at the end of a ``with`` block, or when garbage collected,
    but never while a call on another thread still uses it.

    The objects are immutable, so copying one gives the object itself;
    a shallow copy of the handle pointer would be freed twice.
    """

    _free = None  # the C function releasing the handle, set by subclasses
    _uses = 0  # calls holding the handle now
    _closed_while_used = None  # the handle close() left to the last call

    def __init__(self, handle):
        self._handle = handle

    @property
    def closed(self):
        return not self.__dict__.get("_handle")

    def close(self):
        """Frees the library handle, or, while calls on other threads still
        use it, leaves that to the last of them; later calls raise
        ValueError, and closing again does nothing."""
        with _uses_lock:
            handle = self.__dict__.get("_handle")
            self._handle = None
            if handle and self._uses:
                self._closed_while_used, handle = handle, None
        if handle:
            type(self)._free(handle)

    def _held(self):
        return _Held((self,), True)

    def _release(self):
        with _uses_lock:
            self._uses -= 1
            handle = None
            if self._uses == 0 and self._closed_while_used:
                handle, self._closed_while_used = self._closed_while_used, None
        if handle:
            type(self)._free(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __del__(self):
        # A call holding the handle holds the object too, so the collector
        # only gets here when no call uses it.
        handle = self.__dict__.get("_handle")
        if handle:
            self._handle = None
            type(self)._free(handle)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self
