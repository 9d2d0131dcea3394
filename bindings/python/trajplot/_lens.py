"""The statistics engine: tuned-lens's PredictionTrajectory statistics,
computed natively from the outputs of a lens at every layer.

A lens gives, for every layer (the model's own output last) and position,
float32 logits or log-probabilities over the vocabulary. The engine reduces
them slab by slab, one (batch item, layer) slab of seq_len x vocab floats at
a time, reading each in place, into TrajectoryStatistic objects: the same
statistics, names, units and labels as tuned-lens, with every export of
TrajectoryStatistic (figures, JSON, HTML, stride, clip).
"""
import contextlib
import ctypes
import operator
import threading

from . import _arrays, _lib, _tensors
from ._compat import numpy
from ._handle import Handle
from ._labels import TrajectoryLabels
from ._lib import C
from ._statistic import TrajectoryStatistic
from .errors import InvalidArgumentError

_VALUE_KINDS = {"logits": _lib.VALUES_LOGITS, "log_probs": _lib.VALUES_LOG_PROBS}


class Vocabulary(Handle):
    """Token strings by id, for the labels of the statistics: ``tokens[i]``
    is the raw vocabulary token of id i (str, or bytes taken as UTF-8), as a
    tokenizer's ``convert_ids_to_tokens`` gives them ("Ġthe", "Ċ").

    It is copied into the library once and may be shared by any number of
    trajectories, which keep it alive themselves. It may be shorter than the
    lens's vocabulary (a padded embedding matrix): ids past its end are
    shown as "<unk>". Invalid UTF-8 is stored as U+FFFD. ``len()``, indexing
    (str) and iteration read it back.
    """

    _free = staticmethod(C.trajplot_vocabulary_free)

    def __init__(self, tokens):
        if isinstance(tokens, dict):
            raise TypeError(
                "tokens must be the token strings in id order, not a dict; for a tokenizer use "
                "Vocabulary.from_tokenizer(tokenizer), for a {token: id} dict "
                "sorted(vocab, key=vocab.get)")
        if isinstance(tokens, (str, bytes)):
            raise TypeError("tokens must be a sequence of token strings, not a single %s"
                            % type(tokens).__name__)
        if not isinstance(tokens, (list, tuple)) and not (
                numpy is not None and isinstance(tokens, numpy.ndarray)):
            tokens = list(tokens)
        _, strings = _arrays.strings(tokens, 1, "tokens")
        handle = _lib.vocabulary_p()
        C.trajplot_vocabulary_create_from_strings(ctypes.byref(handle), strings.pointer)
        super().__init__(handle)

    @classmethod
    def from_tokenizer(cls, tokenizer):
        """The vocabulary of a Hugging Face tokenizer (anything with
        ``len()`` and ``convert_ids_to_tokens``), added tokens included."""
        return cls(tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))))

    def __len__(self):
        if "_cached_size" not in self.__dict__:
            size = ctypes.c_size_t()
            with self._held() as live:
                C.trajplot_vocabulary_size(ctypes.byref(size), live)
            self._cached_size = size.value
        return self._cached_size

    def _token(self, index, text, length):
        with self._held() as live:
            C.trajplot_vocabulary_token(ctypes.byref(text), ctypes.byref(length), live, index)
            # Borrowed from the vocabulary: read while it is held.
            return _lib.borrowed_string(text, length)

    def __getitem__(self, index):
        """The token of id ``index`` (negative counts from the end), or a
        list of them for a slice."""
        size = len(self)
        if isinstance(index, slice):
            text, length = _lib.char_p(), ctypes.c_size_t()
            return [self._token(i, text, length) for i in range(*index.indices(size))]
        if isinstance(index, bool):
            raise TypeError("vocabulary indices must be integers, not bool")
        try:
            position = operator.index(index)
        except TypeError:
            raise TypeError("vocabulary indices must be integers or slices, not %s"
                            % type(index).__name__) from None
        if position < 0:
            position += size
        if not 0 <= position < size:
            raise IndexError("vocabulary index %d is out of range: the vocabulary has %d tokens"
                             % (index, size))
        return self._token(position, _lib.char_p(), ctypes.c_size_t())

    def __iter__(self):
        text, length = _lib.char_p(), ctypes.c_size_t()
        for index in range(len(self)):
            yield self._token(index, text, length)

    def __reduce__(self):
        return (Vocabulary, (list(self),))

    def __repr__(self):
        if self.closed:
            return "<closed Vocabulary>"
        return "<Vocabulary of %d tokens>" % len(self)


def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not (
            numpy is not None and isinstance(value, numpy.number)):
        raise TypeError("%s must be a number, not %s" % (name, type(value).__name__))
    return float(value)


def _options(vocabulary, values, top_k, min_prob, min_prob_delta, max_batch_items_shown,
             max_string_len, ellipsis, newline_token, newline_replacement, whitespace_token,
             whitespace_replacement, threads, forward_kl):
    """The trajplot_trajectory_options of the keyword arguments."""
    options = _lib.trajplot_trajectory_options()
    C.trajplot_trajectory_options_init(ctypes.byref(options), _lib.TRAJECTORY_OPTIONS_VERSION)
    if values not in _VALUE_KINDS:
        raise InvalidArgumentError("values must be 'logits' or 'log_probs', got %r" % (values,))
    options.values = _VALUE_KINDS[values]
    options.top_k = _arrays.size_value(top_k, "top_k")
    options.min_prob = _number(min_prob, "min_prob")
    options.min_prob_delta = _number(min_prob_delta, "min_prob_delta")
    options.max_batch_items_shown = _arrays.size_value(max_batch_items_shown, "max_batch_items_shown")
    if max_string_len is None:
        options.max_string_len = 0  # the C API's "never shortened"
    else:
        options.max_string_len = _arrays.size_value(max_string_len, "max_string_len")
        if options.max_string_len == 0:
            raise InvalidArgumentError(
                "max_string_len must be at least 1, or None to never shorten tokens; got 0")
    for field, text in (("ellipsis", ellipsis), ("newline_token", newline_token),
                        ("newline_replacement", newline_replacement),
                        ("whitespace_token", whitespace_token),
                        ("whitespace_replacement", whitespace_replacement)):
        if text is not None:
            setattr(options, field, _arrays.c_string(text, field))
    # None and 0 both leave the count to the library (default_threads()).
    options.threads = 0 if threads is None else _arrays.size_value(threads, "threads")
    options.forward_kl = bool(forward_kl)
    return options


def _shape(shape):
    """(batch, n_layers, seq_len, vocab) of a 4-tuple, or of a 3-tuple
    (n_layers, seq_len, vocab) for one batch item."""
    try:
        extents = tuple(shape)
    except TypeError:
        raise TypeError("shape must be (batch, n_layers, seq_len, vocab) or (n_layers, seq_len, vocab), "
                        "not %s" % type(shape).__name__) from None
    if len(extents) not in (3, 4):
        raise InvalidArgumentError(
            "shape must be (batch, n_layers, seq_len, vocab) or (n_layers, seq_len, vocab), got %r"
            % (extents,))
    names = ("batch", "n_layers", "seq_len", "vocab")[4 - len(extents):]
    extents = tuple(_arrays.size_value(extent, name) for extent, name in zip(extents, names))
    return extents if len(extents) == 4 else (1,) + extents


def _ids(value, name, shape, required=True):
    """int64 ids of ``batch x seq_len`` (or ``seq_len`` for one batch
    item), checked against the shape before the library reads that many."""
    if value is None:
        if required:
            raise TypeError("%s must be given" % name)
        return None
    ids = _tensors.token_ids(value, name)
    batch, _, seq_len, _ = shape
    if ids.shape != (batch, seq_len) and not (batch == 1 and ids.shape == (seq_len,)):
        raise InvalidArgumentError(
            "%s has shape %s; the trajectory needs batch x seq_len = %d x %d%s"
            % (name, _arrays.shape_text(ids.shape) or "()", batch, seq_len,
               " (or %d for its one batch item)" % seq_len if batch == 1 else ""))
    return ids


def _check_extents(tensor, name, expected, names, check_flat=False):
    """Refuses a tensor whose shape is not ``expected``, leading extents of
    1 aside (a batch of one may come without its batch axis): its float
    count may match while its layout does not. A flat tensor goes to the
    library, which checks its length, unless ``check_flat``."""
    shape = tensor.shape
    if len(shape) == 1:
        if check_flat and shape[0] != _product(expected):
            raise InvalidArgumentError(
                "%s has %d floats; expected %s = %s = %d"
                % (name, shape[0], " x ".join(names), _arrays.shape_text(expected), _product(expected)))
        return
    if _without_leading_ones(shape) != _without_leading_ones(expected):
        raise InvalidArgumentError(
            "%s has shape %s; expected %s = %s (or flat, %d floats)"
            % (name, _arrays.shape_text(shape), " x ".join(names), _arrays.shape_text(expected),
               _product(expected)))


def _without_leading_ones(extents):
    extents = tuple(extents)
    while len(extents) > 1 and extents[0] == 1:
        extents = extents[1:]
    return extents


def _product(extents):
    product = 1
    for extent in extents:
        product *= extent
    return product


def _held_or_none(vocabulary):
    return contextlib.nullcontext(None) if vocabulary is None else vocabulary._held()


def _temporary_vocabulary(vocabulary):
    """(the Vocabulary to use, whether it was made here and is to be closed)."""
    if vocabulary is None or isinstance(vocabulary, Vocabulary):
        return vocabulary, False
    return Vocabulary(vocabulary), True


class _Engine(Handle):
    """What PredictionTrajectory and TrajectoryComparison share: the handle,
    its shape, and a lock, since the library must not fill a trajectory
    while another call uses it."""

    _shape_function = None
    _complete_function = None
    _labels_function = None

    def __init__(self, handle):
        self._lock = threading.Lock()
        super().__init__(handle)

    def close(self):
        lock = self.__dict__.get("_lock")
        if lock is None:
            super().close()
            return
        with lock:
            super().close()

    @property
    def shape(self):
        """(batch, n_layers, seq_len, vocab)."""
        if "_cached_shape" not in self.__dict__:
            extents = [ctypes.c_size_t() for _ in range(4)]
            with self._held() as live:
                type(self)._shape_function(*(ctypes.byref(extent) for extent in extents), live)
            self._cached_shape = tuple(extent.value for extent in extents)
        return self._cached_shape

    @property
    def complete(self):
        """Whether every slab has been added: the statistics need that."""
        flag = ctypes.c_bool()
        with self._lock:
            with self._held() as live:
                type(self)._complete_function(ctypes.byref(flag), live)
        return flag.value

    def labels(self):
        """The TrajectoryLabels every statistic shares (see the class), or
        None without a vocabulary."""
        handle = _lib.labels_p()
        with self._lock:
            with self._held() as live:
                type(self)._labels_function(ctypes.byref(handle), live)
        return TrajectoryLabels._adopt(handle) if handle else None

    def _statistic(self, function, measure, flags=0):
        handle = _lib.statistic_p()
        with self._lock:
            with self._held() as live:
                function(ctypes.byref(handle), live, measure, flags)
        return TrajectoryStatistic._adopt(handle)

    def _tensor_shape(self, tensor, name):
        """Checks a whole tensor: batch x n_layers x seq_len x vocab, or
        n_layers x seq_len x vocab for one batch item."""
        _check_extents(tensor, name, self.shape, ("batch", "n_layers", "seq_len", "vocab"))

    def _slab_shape(self, tensor, name):
        _check_extents(tensor, name, self.shape[2:], ("seq_len", "vocab"))

    def _layer_shape(self, tensor, name):
        # Unlike the others, a layer is split here, so a flat one is
        # checked here too.
        batch, _, seq_len, vocab = self.shape
        _check_extents(tensor, name, (batch, seq_len, vocab), ("batch", "seq_len", "vocab"),
                       check_flat=True)

    def __copy__(self):
        raise TypeError("a %s cannot be copied: it is filled in place" % type(self).__name__)

    def __deepcopy__(self, memo):
        self.__copy__()

    def __reduce__(self):
        raise TypeError("a %s cannot be pickled; pickle the statistics it gives"
                        % type(self).__name__)

    def __repr__(self):
        if self.closed:
            return "<closed %s>" % type(self).__name__
        return "<%s batch %d, n_layers %d, seq_len %d, vocab %d, %s>" % (
            (type(self).__name__,) + self.shape + ("complete" if self.complete else "filling",))


def _measure_names(comparison):
    total = C.trajplot_measures(None, 0)
    measures = (ctypes.c_int * total)()
    C.trajplot_measures(measures, total)
    return tuple(C.trajplot_measure_name(measure).decode("utf-8") for measure in measures
                 if bool(C.trajplot_measure_is_comparison(measure)) == comparison)


def _measure(name):
    measure = ctypes.c_int()
    C.trajplot_measure_from_name(ctypes.byref(measure), _arrays.c_string(name, "name"))
    return measure.value


class PredictionTrajectory(_Engine):
    """The statistics of one lens trajectory, as tuned-lens's
    PredictionTrajectory computes them, filled from float32 lens outputs.

    ``shape`` is (batch, n_layers, seq_len, vocab), or (n_layers, seq_len,
    vocab) for one batch item; n_layers counts the model's output, which is
    the last layer. ``input_ids`` (batch x seq_len, or seq_len for one batch
    item) are the input tokens, shown as the x-axis labels. ``targets`` and
    ``anti_targets`` (the same shape) are the tokens cross_entropy, rank and
    log_prob_diff are about: the token wanted at each position, with no
    shifting (tuned-lens's targets are the next input tokens). Ids are any
    integers in [0, vocab): lists, integer arrays of any dtype.

    Options, all keyword-only:

    - ``vocabulary``: a Vocabulary, or the token strings to make one; None
      gives statistics without cell labels, hover tables or sequence labels
      (as tuned-lens without a tokenizer).
    - ``values``: "logits" (a numerically stable log-softmax is applied) or
      "log_probs" (used as given, not renormalised).
    - ``top_k`` (10): hover-table rows per cell, the k most likely tokens
      (ties: the smaller id first).
    - ``min_prob`` (0.0): a cell whose most likely token has a probability
      below it in any batch item gets an empty label.
    - ``max_batch_items_shown`` (3): batch items side by side in a hover
      table.
    - Token formatting, as tuned-lens's TokenFormatter: ``max_string_len``
      (7; None never shortens) code points at most, the rest replaced by
      ``ellipsis`` ("…"); then ``newline_token`` ("Ċ") is shown as
      ``newline_replacement`` ("\\n") and ``whitespace_token`` ("Ġ") as
      ``whitespace_replacement`` ("_"). None keeps these defaults.
    - ``threads`` (None or 0: ``trajplot.default_threads()``, the CPUs
      this process may use): threads reducing the positions of a slab.
    - ``forward_kl`` (True): compute forward_kl(). It needs the output
      layer (the last) of each batch item added before that item's other
      layers, and keeps its probabilities (seq_len x vocab floats) until the
      item's last layer arrives; False lifts both.

    Fill it with add() (one slab at a time, in any order but the one above),
    add_layer() (every batch item of one layer) or add_all() (a resident
    tensor), or make it filled with from_tensor(). Tensors are float32 and
    C-contiguous (numpy arrays, CPU torch tensors, array.array('f'), any
    buffer of format 'f'): they are read in place during the call and not
    kept; any other dtype or layout raises TypeError or ValueError saying how
    to convert it, as converting a large tensor silently would copy it.

    Once complete, each statistic is n_layers x seq_len (log_prob_diff with
    delta: n_layers - 1 rows), averaged over the batch, with tuned-lens's
    name, units and colour range; every statistic but log_prob_diff has the
    labels(): the most likely token of each cell and a hover table of the
    top_k tokens and their probabilities ("xx.xx%"). Filling and the other
    calls are serialised by a lock; statistics may be taken from any thread.
    """

    _free = staticmethod(C.trajplot_trajectory_free)
    _shape_function = staticmethod(C.trajplot_trajectory_shape)
    _complete_function = staticmethod(C.trajplot_trajectory_complete)
    _labels_function = staticmethod(C.trajplot_trajectory_labels)

    #: The names statistic() takes.
    measures = _measure_names(comparison=False)

    def __init__(self, shape, input_ids, targets=None, anti_targets=None, *, vocabulary=None,
                 values="logits", top_k=10, min_prob=0.0, max_batch_items_shown=3,
                 max_string_len=7, ellipsis=None, newline_token=None, newline_replacement=None,
                 whitespace_token=None, whitespace_replacement=None, threads=None, forward_kl=True):
        shape = _shape(shape)
        ids = _ids(input_ids, "input_ids", shape)
        wanted = _ids(targets, "targets", shape, required=False)
        avoided = _ids(anti_targets, "anti_targets", shape, required=False)
        vocabulary, temporary = _temporary_vocabulary(vocabulary)
        try:
            options = _options(vocabulary, values, top_k, min_prob, 0.0, max_batch_items_shown,
                               max_string_len, ellipsis, newline_token, newline_replacement,
                               whitespace_token, whitespace_replacement, threads, forward_kl)
            handle = _lib.trajectory_p()
            with _held_or_none(vocabulary) as live_vocabulary:
                options.vocabulary = live_vocabulary
                C.trajplot_trajectory_create(
                    ctypes.byref(handle), *shape, ids.pointer,
                    wanted.pointer if wanted is not None else None,
                    avoided.pointer if avoided is not None else None, ctypes.byref(options))
        finally:
            if temporary:
                vocabulary.close()  # the trajectory holds its own reference
        super().__init__(handle)

    @classmethod
    def from_tensor(cls, tensor, input_ids, targets=None, anti_targets=None, **options):
        """A complete trajectory of a resident tensor: batch x n_layers x
        seq_len x vocab, or n_layers x seq_len x vocab for one batch item
        (input_ids then seq_len). Keyword options as the constructor."""
        with _tensors.float_tensor(tensor, "tensor") as view:
            trajectory = cls(_tensor_shape_of(view, "tensor"), input_ids, targets, anti_targets,
                             **options)
            try:
                trajectory._add_all(view)
            except BaseException:
                trajectory.close()
                raise
        return trajectory

    # -- filling --------------------------------------------------------------

    def add(self, batch_index, layer, slab):
        """Adds the seq_len x vocab slab of (batch_index, layer). Each slab
        exactly once, in any order, except that with forward_kl a batch
        item's output layer (n_layers - 1) comes before its other layers."""
        batch_index = _arrays.size_value(batch_index, "batch_index")
        layer = _arrays.size_value(layer, "layer")
        with _tensors.float_tensor(slab, "slab") as view:
            self._slab_shape(view, "slab")
            with self._lock:
                with self._held() as live:
                    C.trajplot_trajectory_add(live, batch_index, layer, view.pointer(), view.count)

    def add_layer(self, layer, tensor):
        """Adds layer ``layer`` of every batch item: batch x seq_len x vocab
        (seq_len x vocab for one batch item), as a lens gives it. The items
        go in order; when one fails the ones before it stay added."""
        layer = _arrays.size_value(layer, "layer")
        batch, _, seq_len, vocab = self.shape
        with _tensors.float_tensor(tensor, "tensor") as view:
            self._layer_shape(view, "tensor")
            with self._lock:
                for item in range(batch):
                    with self._held() as live:
                        C.trajplot_trajectory_add(live, item, layer,
                                                  view.pointer(item * seq_len * vocab), seq_len * vocab)

    def add_all(self, tensor):
        """Adds every slab of a resident batch x n_layers x seq_len x vocab
        tensor (n_layers x seq_len x vocab for one batch item, or flat),
        read in place. Only into a trajectory without slabs."""
        with _tensors.float_tensor(tensor, "tensor") as view:
            self._add_all(view)

    def _add_all(self, view):
        self._tensor_shape(view, "tensor")
        with self._lock:
            with self._held() as live:
                C.trajplot_trajectory_add_all(live, view.pointer(), view.count)

    # -- statistics -------------------------------------------------------------

    def _measure(self, measure, flags=0):
        return self._statistic(C.trajplot_trajectory_statistic, measure, flags)

    def entropy(self):
        """"Entropy", nats: -sum p log p of each layer's distribution."""
        return self._measure(_lib.MEASURE_ENTROPY)

    def cross_entropy(self):
        """"Cross Entropy", nats: -log p(target). Needs targets."""
        return self._measure(_lib.MEASURE_CROSS_ENTROPY)

    def forward_kl(self):
        """"Forward KL", nats: KL(output || layer), the model's output
        distribution against each layer's (0 on the output row). Needs
        forward_kl=True."""
        return self._measure(_lib.MEASURE_FORWARD_KL)

    def max_probability(self):
        """"Max Probability", probs: the largest probability."""
        return self._measure(_lib.MEASURE_MAX_PROBABILITY)

    def rank(self, show_ranks=False):
        """"Rank" of the target, 1 for the most likely token; tokens of
        equal value share the best rank (1 + the number of tokens with a
        strictly greater value). Colour range from 1 to the vocabulary's
        size. With ``show_ranks`` the cell labels are the ranks (averaged
        over the batch, truncated towards zero) instead of tokens. Needs
        targets."""
        return self._measure(_lib.MEASURE_RANK, _lib.SHOW_RANKS if show_ranks else 0)

    def log_prob_diff(self, delta=False):
        """"Log Prob Difference", nats: log p(target) - log p(anti_target),
        without cell labels. With ``delta``, "Δ Log Prob Difference": its
        change from layer k to layer k + 1 in row k (n_layers - 1 rows, no
        output row). Needs targets and anti_targets."""
        return self._measure(_lib.MEASURE_LOG_PROB_DIFF_DELTA if delta else _lib.MEASURE_LOG_PROB_DIFF)

    def statistic(self, name, show_ranks=False):
        """The statistic of that name, one of ``measures``: "entropy",
        "cross_entropy", "forward_kl", "max_probability", "rank",
        "log_prob_diff", "log_prob_diff_delta" (the names of the command-line
        tool)."""
        return self._measure(_measure(name), _lib.SHOW_RANKS if show_ranks else 0)


class TrajectoryComparison(_Engine):
    """The statistics between two trajectories of the same shape, "self"
    and "other" (e.g. two lenses, or a lens and the model), filled with
    pairs of slabs; tuned-lens's PredictionTrajectory comparisons.

    Arguments as PredictionTrajectory's, without targets, min_prob and
    forward_kl; ``input_ids`` and ``vocabulary`` are self's, and both
    trajectories hold ``values``. Slabs go in any order, each pair once;
    nothing that grows with the vocabulary is kept.

    ``min_prob_delta`` (0.0): a cell whose largest |change in probability|
    is at most min_prob_delta in any batch item has an empty label (so, by
    default, cells where nothing changes). labels() are, per cell, the top_k
    tokens whose probability changed most, "Δxx.xx%" (other minus self).
    """

    _free = staticmethod(C.trajplot_comparison_free)
    _shape_function = staticmethod(C.trajplot_comparison_shape)
    _complete_function = staticmethod(C.trajplot_comparison_complete)
    _labels_function = staticmethod(C.trajplot_comparison_labels)

    #: The names statistic() takes.
    measures = _measure_names(comparison=True)

    def __init__(self, shape, input_ids, *, vocabulary=None, values="logits", top_k=10,
                 min_prob_delta=0.0, max_batch_items_shown=3, max_string_len=7, ellipsis=None,
                 newline_token=None, newline_replacement=None, whitespace_token=None,
                 whitespace_replacement=None, threads=None):
        shape = _shape(shape)
        ids = _ids(input_ids, "input_ids", shape)
        vocabulary, temporary = _temporary_vocabulary(vocabulary)
        try:
            options = _options(vocabulary, values, top_k, 0.0, min_prob_delta, max_batch_items_shown,
                               max_string_len, ellipsis, newline_token, newline_replacement,
                               whitespace_token, whitespace_replacement, threads, False)
            handle = _lib.comparison_p()
            with _held_or_none(vocabulary) as live_vocabulary:
                options.vocabulary = live_vocabulary
                C.trajplot_comparison_create(ctypes.byref(handle), *shape, ids.pointer,
                                             ctypes.byref(options))
        finally:
            if temporary:
                vocabulary.close()
        super().__init__(handle)

    @classmethod
    def from_tensors(cls, self_tensor, other_tensor, input_ids, **options):
        """A complete comparison of two resident tensors of the same shape,
        batch x n_layers x seq_len x vocab or n_layers x seq_len x vocab."""
        with _tensors.float_tensor(self_tensor, "self_tensor") as mine, \
                _tensors.float_tensor(other_tensor, "other_tensor") as theirs:
            shape = _tensor_shape_of(mine, "self_tensor")
            if theirs.shape != mine.shape:
                raise InvalidArgumentError(
                    "other_tensor has shape %s but self_tensor has shape %s"
                    % (_arrays.shape_text(theirs.shape), _arrays.shape_text(mine.shape)))
            comparison = cls(shape, input_ids, **options)
            try:
                comparison._add_all(mine, theirs)
            except BaseException:
                comparison.close()
                raise
        return comparison

    # -- filling --------------------------------------------------------------

    def add(self, batch_index, layer, self_slab, other_slab):
        """Adds the seq_len x vocab slabs of (batch_index, layer) of both
        trajectories. Any order; each pair exactly once."""
        batch_index = _arrays.size_value(batch_index, "batch_index")
        layer = _arrays.size_value(layer, "layer")
        with _tensors.float_tensor(self_slab, "self_slab") as mine, \
                _tensors.float_tensor(other_slab, "other_slab") as theirs:
            self._slab_shape(mine, "self_slab")
            self._slab_shape(theirs, "other_slab")
            _same_count(mine, theirs, "self_slab", "other_slab")
            with self._lock:
                with self._held() as live:
                    C.trajplot_comparison_add(live, batch_index, layer, mine.pointer(),
                                              theirs.pointer(), mine.count)

    def add_layer(self, layer, self_tensor, other_tensor):
        """Adds layer ``layer`` of every batch item of both trajectories:
        batch x seq_len x vocab each (seq_len x vocab for one batch item)."""
        layer = _arrays.size_value(layer, "layer")
        batch, _, seq_len, vocab = self.shape
        with _tensors.float_tensor(self_tensor, "self_tensor") as mine, \
                _tensors.float_tensor(other_tensor, "other_tensor") as theirs:
            self._layer_shape(mine, "self_tensor")
            self._layer_shape(theirs, "other_tensor")
            slab = seq_len * vocab
            with self._lock:
                for item in range(batch):
                    with self._held() as live:
                        C.trajplot_comparison_add(live, item, layer, mine.pointer(item * slab),
                                                  theirs.pointer(item * slab), slab)

    def add_all(self, self_tensor, other_tensor):
        """Adds both whole resident tensors (batch x n_layers x seq_len x
        vocab), read in place. Only into a comparison without slabs."""
        with _tensors.float_tensor(self_tensor, "self_tensor") as mine, \
                _tensors.float_tensor(other_tensor, "other_tensor") as theirs:
            self._add_all(mine, theirs)

    def _add_all(self, mine, theirs):
        self._tensor_shape(mine, "self_tensor")
        self._tensor_shape(theirs, "other_tensor")
        _same_count(mine, theirs, "self_tensor", "other_tensor")
        with self._lock:
            with self._held() as live:
                C.trajplot_comparison_add_all(live, mine.pointer(), theirs.pointer(), mine.count)

    # -- statistics -------------------------------------------------------------

    def _measure(self, measure):
        return self._statistic(C.trajplot_comparison_statistic, measure)

    def kl_divergence(self):
        """"KL(Self | Other)", nats: KL(self || other) = sum p log(p / q)."""
        return self._measure(_lib.MEASURE_KL_DIVERGENCE)

    def js_divergence(self):
        """"JS(Self | Other)", nats: the textbook Jensen-Shannon divergence,
        0.5 KL(p || m) + 0.5 KL(q || m) with m = (p + q) / 2, in [0, ln 2]."""
        return self._measure(_lib.MEASURE_JS_DIVERGENCE)

    def half_symmetric_kl(self):
        """"(KL(Self | Other) + KL(Other | Self)) / 2", nats: what
        tuned-lens calls js_divergence."""
        return self._measure(_lib.MEASURE_HALF_SYMMETRIC_KL)

    def total_variation(self):
        """"TV(Self | Other)", probs: the textbook total variation,
        0.5 sum |p - q|, in [0, 1]."""
        return self._measure(_lib.MEASURE_TOTAL_VARIATION)

    def max_abs_prob_difference(self):
        """"Max |Δp|(Self | Other)", probs: max |p - q|, what tuned-lens
        calls total_variation."""
        return self._measure(_lib.MEASURE_MAX_ABS_PROB_DIFFERENCE)

    def statistic(self, name):
        """The statistic of that name, one of ``measures``: "kl_divergence",
        "js_divergence", "half_symmetric_kl", "total_variation",
        "max_abs_prob_difference"."""
        return self._measure(_measure(name))


def _tensor_shape_of(view, name):
    if len(view.shape) == 4:
        return view.shape
    if len(view.shape) == 3:
        return (1,) + view.shape
    raise InvalidArgumentError(
        "%s must be batch x n_layers x seq_len x vocab or n_layers x seq_len x vocab, got shape %s"
        % (name, _arrays.shape_text(view.shape) or "()"))


def _same_count(mine, theirs, mine_name, theirs_name):
    if mine.count != theirs.count:
        raise InvalidArgumentError("%s has %d floats but %s has %d"
                                   % (theirs_name, theirs.count, mine_name, mine.count))
