"""Ownership of one library handle."""


class Handle:
    """Owns one handle of the C library and frees it exactly once: on
    close(), at the end of a ``with`` block, or when garbage collected.

    The objects are immutable, so copying one gives the object itself;
    a shallow copy of the handle pointer would be freed twice.
    """

    _free = None  # the C function releasing the handle, set by subclasses

    def __init__(self, handle):
        self._handle = handle

    @property
    def closed(self):
        return not self.__dict__.get("_handle")

    def close(self):
        """Frees the library handle; later calls do nothing."""
        handle = self.__dict__.get("_handle")
        self._handle = None
        if handle:
            type(self)._free(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __del__(self):
        self.close()

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def _live(self):
        handle = self.__dict__.get("_handle")
        if not handle:
            raise ValueError("operation on a closed %s" % type(self).__name__)
        return handle
