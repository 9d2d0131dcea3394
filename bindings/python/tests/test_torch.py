"""CPU torch tensors as the binding's inputs: a statistic's values, lens
outputs and token ids are read in place through DLPack, with or without
numpy (both test runs take this file), and tensors the library cannot read
as they are are refused with the conversion to make."""
import sys
import unittest
import warnings

import trajplot
from support import HAVE_NUMPY, STATS, plain, requires_numpy
from test_lens import RecordingFunction, make_tokens

with warnings.catch_warnings():
    # torch warns on import when numpy is hidden; it works without it.
    warnings.simplefilter("ignore")
    try:
        import torch
    except ImportError:
        torch = None

if HAVE_NUMPY:
    import numpy


def setUpModule():
    # torch without numpy says so again when it first needs it; the test
    # runner's own warning filters are in place by now.
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

TORCH_HIDDEN = "torch" in sys.modules and sys.modules["torch"] is None
requires_torch = unittest.skipUnless(
    torch is not None,
    "torch is hidden in this run" if TORCH_HIDDEN
    else "torch is not importable (Debian: apt-get install python3-torch)")


class Exporter:
    """A DLPack exporter other than torch, serving a torch tensor's memory
    and keeping the capsules it gives out, to see whether they are held."""

    def __init__(self, tensor, device=None):
        self.tensor = tensor
        self.device = device
        self.capsules = []

    def __dlpack_device__(self):
        return self.device or self.tensor.__dlpack_device__()

    def __dlpack__(self, stream=None):
        if self.device is not None:
            raise AssertionError("a tensor on another device was exported")
        self.capsules.append(self.tensor.__dlpack__())
        return self.capsules[-1]


def statistic_values(statistic):
    return plain(statistic.stats)


@requires_torch
class Statistics(unittest.TestCase):
    def setUp(self):
        self.values = torch.tensor(STATS, dtype=torch.float32)

    def test_a_float32_tensor_gives_the_statistic_of_the_same_lists(self):
        from_tensor = trajplot.TrajectoryStatistic("Entropy", self.values, units="nats")
        from_lists = trajplot.TrajectoryStatistic("Entropy", STATS, units="nats")
        self.assertEqual(statistic_values(from_tensor), STATS)
        self.assertEqual(from_tensor.to_json(), from_lists.to_json())

    @requires_numpy
    def test_a_float32_tensor_gives_the_statistic_of_the_same_numpy_array(self):
        from_tensor = trajplot.TrajectoryStatistic("Entropy", self.values)
        from_numpy = trajplot.TrajectoryStatistic("Entropy", numpy.array(STATS, dtype=numpy.float32))
        self.assertTrue(numpy.array_equal(from_tensor.stats, from_numpy.stats))
        self.assertEqual(from_tensor.to_json(), from_numpy.to_json())

    def test_the_library_receives_the_tensors_own_address(self):
        create = RecordingFunction(self, "trajplot_statistic_create")
        references = sys.getrefcount(self.values)
        trajplot.TrajectoryStatistic("Entropy", self.values)
        self.assertEqual(create.calls[0][1:4], [self.values.data_ptr(), 3, 4])
        self.assertEqual(sys.getrefcount(self.values), references)
        rows = self.values[1:]  # a view: its own address, inside the tensor
        trajplot.TrajectoryStatistic("Entropy", rows)
        self.assertEqual(create.calls[1][1:4], [self.values.data_ptr() + 4 * 4, 2, 4])

    def test_the_statistic_keeps_its_own_copy(self):
        statistic = trajplot.TrajectoryStatistic("Entropy", self.values)
        self.values[0, 0] = 100.0
        self.assertEqual(statistic_values(statistic), STATS)

    def test_a_non_contiguous_tensor_is_copied_as_numpy_arrays_are(self):
        create = RecordingFunction(self, "trajplot_statistic_create")
        transposed = self.values.t()
        statistic = trajplot.TrajectoryStatistic("Entropy", transposed)
        self.assertEqual(statistic_values(statistic), [list(column) for column in zip(*STATS)])
        self.assertNotEqual(create.calls[0][1], self.values.data_ptr())
        every_other = trajplot.TrajectoryStatistic("Entropy", self.values[:, ::2])
        self.assertEqual(statistic_values(every_other), [row[::2] for row in STATS])

    def test_other_dtypes_are_refused_with_the_conversion(self):
        for dtype in (torch.float64, torch.float16, torch.bfloat16, torch.int64):
            with self.subTest(dtype=dtype):
                with self.assertRaises(TypeError) as caught:
                    trajplot.TrajectoryStatistic("Entropy", self.values.to(dtype))
                self.assertIn("stats is a %s tensor (shape 3 x 4)" % dtype, str(caught.exception))
                self.assertTrue(str(caught.exception).endswith("pass tensor.float()"),
                                str(caught.exception))
        trajplot.TrajectoryStatistic("Entropy", self.values.double().float())  # as it says

    def test_tensors_that_require_grad_are_refused_with_detach(self):
        values = self.values.clone().requires_grad_(True)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^stats is a torch.float32 tensor that requires grad; .*"
                                    "pass tensor.detach\\(\\)$"):
            trajplot.TrajectoryStatistic("Entropy", values)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError, "pass tensor.detach\\(\\).float\\(\\)$"):
            trajplot.TrajectoryStatistic("Entropy", values.double())
        self.assertEqual(statistic_values(trajplot.TrajectoryStatistic("Entropy", values.detach())), STATS)

    def test_tensors_on_other_devices_are_refused_with_cpu(self):
        on_meta = torch.empty(3, 4, device="meta")
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^stats is a torch.float32 tensor on meta; trajplot reads tensors "
                                    "in CPU memory, in place: pass tensor.cpu\\(\\)$"):
            trajplot.TrajectoryStatistic("Entropy", on_meta)

    def test_a_statistic_is_two_dimensional(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "stats must be 2-dimensional \\(n_layers x seq_len\\), got shape 1 x 3 x 4"):
            trajplot.TrajectoryStatistic("Entropy", self.values[None])


@requires_torch
class LensOutputs(unittest.TestCase):
    SHAPE = (2, 3, 4, 5)

    def setUp(self):
        generator = torch.Generator().manual_seed(7)
        self.logits = torch.randn(self.SHAPE, generator=generator)
        self.other = torch.randn(self.SHAPE, generator=generator)
        self.ids = torch.tensor([[0, 1, 2, 3], [4, 0, 1, 2]])
        self.targets = torch.tensor([[1, 2, 3, 4], [0, 1, 2, 3]])
        self.anti_targets = torch.tensor([[4, 3, 2, 1], [3, 2, 1, 0]])
        self.tokens = make_tokens(5)

    def trajectory(self, logits, ids, targets, anti_targets):
        return trajplot.PredictionTrajectory.from_tensor(logits, ids, targets, anti_targets,
                                                         vocabulary=self.tokens)

    def assertSameTrajectories(self, trajectory, reference):
        for measure in trajplot.PredictionTrajectory.measures:
            with self.subTest(measure=measure):
                self.assertEqual(trajectory.statistic(measure).to_json(),
                                 reference.statistic(measure).to_json())

    def test_from_tensor_equals_the_same_from_lists(self):
        trajectory = self.trajectory(self.logits, self.ids, self.targets, self.anti_targets)
        reference = self.trajectory(self.logits.tolist(), self.ids.tolist(), self.targets.tolist(),
                                    self.anti_targets.tolist())
        self.assertSameTrajectories(trajectory, reference)

    @requires_numpy
    def test_from_tensor_equals_the_same_from_numpy(self):
        trajectory = self.trajectory(self.logits, self.ids, self.targets, self.anti_targets)
        reference = self.trajectory(self.logits.numpy(), self.ids.numpy(), self.targets.numpy(),
                                    self.anti_targets.numpy())
        self.assertSameTrajectories(trajectory, reference)
        self.assertTrue(numpy.array_equal(trajectory.labels().label_strings,
                                          reference.labels().label_strings))

    def test_the_library_receives_the_tensors_own_addresses(self):
        create = RecordingFunction(self, "trajplot_trajectory_create")
        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        references = sys.getrefcount(self.logits)
        trajplot.PredictionTrajectory.from_tensor(self.logits, self.ids, self.targets, self.anti_targets)
        self.assertEqual(create.calls[0][4:7], [self.ids.data_ptr(), self.targets.data_ptr(),
                                                self.anti_targets.data_ptr()])
        self.assertEqual(add_all.calls, [[self.logits.data_ptr(), self.logits.numel()]])
        trajplot.PredictionTrajectory(self.SHAPE, self.ids).add_all(self.logits)
        self.assertEqual(add_all.calls[1], [self.logits.data_ptr(), self.logits.numel()])
        self.assertEqual(sys.getrefcount(self.logits), references)  # nothing keeps it

    def test_slabs_and_layers_are_read_at_their_own_addresses(self):
        add = RecordingFunction(self, "trajplot_trajectory_add")
        trajectory = trajplot.PredictionTrajectory(self.SHAPE, self.ids, forward_kl=False)
        trajectory.add(1, 2, self.logits[1, 2])
        layer = self.logits[:, 1].contiguous()
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "tensor \\(shape 2 x 4 x 5, strides \\(60, 5, 1\\) in elements\\) is "
                                    "not a C-contiguous aligned tensor; .*pass tensor.contiguous\\(\\)$"):
            trajectory.add_layer(1, self.logits[:, 1])  # the items are apart in memory
        trajectory.add_layer(1, layer)
        self.assertEqual(add.calls, [[1, 2, self.logits[1, 2].data_ptr(), 20],
                                     [0, 1, layer.data_ptr(), 20],
                                     [1, 1, layer.data_ptr() + 4 * 20, 20]])
        for item in range(2):
            for index in (0, 2):
                if (item, index) != (1, 2):
                    trajectory.add(item, index, self.logits[item, index])
        whole = trajplot.PredictionTrajectory.from_tensor(self.logits, self.ids, forward_kl=False)
        self.assertEqual(trajectory.entropy().to_json(), whole.entropy().to_json())

    def test_comparisons_read_both_tensors_in_place(self):
        add_all = RecordingFunction(self, "trajplot_comparison_add_all")
        comparison = trajplot.TrajectoryComparison.from_tensors(self.logits, self.other, self.ids)
        self.assertEqual(add_all.calls, [[self.logits.data_ptr(), self.other.data_ptr(),
                                          self.logits.numel()]])
        reference = trajplot.TrajectoryComparison.from_tensors(self.logits.tolist(), self.other.tolist(),
                                                               self.ids.tolist())
        for measure in trajplot.TrajectoryComparison.measures:
            with self.subTest(measure=measure):
                self.assertEqual(comparison.statistic(measure).to_json(),
                                 reference.statistic(measure).to_json())
        add = RecordingFunction(self, "trajplot_comparison_add")
        streamed = trajplot.TrajectoryComparison(self.SHAPE, self.ids)
        streamed.add(0, 1, self.logits[0, 1], self.other[0, 1])
        mine, theirs = self.logits[:, 2].contiguous(), self.other[:, 2].contiguous()
        streamed.add_layer(2, mine, theirs)
        self.assertEqual(add.calls, [[0, 1, self.logits[0, 1].data_ptr(), self.other[0, 1].data_ptr(), 20],
                                     [0, 2, mine.data_ptr(), theirs.data_ptr(), 20],
                                     [1, 2, mine.data_ptr() + 80, theirs.data_ptr() + 80, 20]])

    def test_ids_of_other_integer_dtypes_and_layouts_are_converted(self):
        create = RecordingFunction(self, "trajplot_trajectory_create")
        reference = self.trajectory(self.logits, self.ids, self.targets, self.anti_targets)
        columns = self.ids.t().contiguous().t()  # the same ids, column by column in memory
        for ids in (self.ids.int(), self.ids.to(torch.uint8), self.ids.to(torch.int16), columns):
            with self.subTest(dtype=ids.dtype, strides=ids.stride()):
                trajectory = self.trajectory(self.logits, ids, self.targets, self.anti_targets)
                self.assertNotEqual(create.calls[-1][4], ids.data_ptr())
                self.assertSameTrajectories(trajectory, reference)

    def test_one_batch_item_without_its_batch_axis(self):
        trajectory = trajplot.PredictionTrajectory.from_tensor(self.logits[1], self.ids[1],
                                                               vocabulary=self.tokens)
        reference = trajplot.PredictionTrajectory.from_tensor(self.logits[1].tolist(), self.ids[1].tolist(),
                                                              vocabulary=self.tokens)
        self.assertEqual(trajectory.entropy().to_json(), reference.entropy().to_json())

    def test_other_dtypes_are_refused_with_the_conversion(self):
        for dtype in (torch.float64, torch.float16, torch.bfloat16):
            with self.subTest(dtype=dtype):
                with self.assertRaises(TypeError) as caught:
                    trajplot.PredictionTrajectory(self.SHAPE, self.ids).add_all(self.logits.to(dtype))
                self.assertEqual(str(caught.exception),
                                 "tensor is a %s tensor (shape 2 x 3 x 4 x 5); the engine reads float32 in "
                                 "place and does not convert a tensor silently: pass tensor.float()" % dtype)
        with self.assertRaisesRegex(TypeError, "^slab is a torch.float64 tensor .*pass tensor.float\\(\\)"
                                               ".contiguous\\(\\)$"):
            trajplot.PredictionTrajectory(self.SHAPE, self.ids).add(0, 2, self.logits[0, 2].double().t())
        with self.assertRaisesRegex(TypeError, "^self_tensor is a torch.float16 tensor"):
            trajplot.TrajectoryComparison.from_tensors(self.logits.half(), self.other, self.ids)

    def test_lens_outputs_that_require_grad_are_refused_with_detach(self):
        weights = torch.randn(5, 5, generator=torch.Generator().manual_seed(3), requires_grad=True)
        logits = self.logits @ weights  # as a lens run outside torch.no_grad() gives them
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^tensor is a torch.float32 tensor that requires grad; trajplot reads "
                                    "it in place, outside autograd: pass tensor.detach\\(\\)$"):
            trajplot.PredictionTrajectory.from_tensor(logits, self.ids)
        detached = logits.detach()
        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        trajplot.PredictionTrajectory.from_tensor(detached, self.ids)
        self.assertEqual(add_all.calls, [[logits.data_ptr(), logits.numel()]])  # detach() shares it

    def test_tensors_on_other_devices_are_refused_with_cpu(self):
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^tensor is a torch.float16 tensor on meta; trajplot reads tensors in "
                                    "CPU memory, in place: pass tensor.cpu\\(\\).float\\(\\)$"):
            trajplot.PredictionTrajectory.from_tensor(torch.empty(self.SHAPE, dtype=torch.float16,
                                                                  device="meta"), self.ids)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^input_ids is a torch.int64 tensor on meta; .*pass tensor.cpu\\(\\)$"):
            trajplot.PredictionTrajectory.from_tensor(self.logits, self.ids.to("meta"))

    def test_ids_that_are_not_integers_are_refused_with_long(self):
        for ids in (self.ids.float(), self.ids.bool()):
            with self.subTest(dtype=ids.dtype):
                with self.assertRaises(TypeError) as caught:
                    trajplot.PredictionTrajectory.from_tensor(self.logits, ids)
                self.assertEqual(str(caught.exception),
                                 "input_ids is a %s tensor (shape 2 x 4); token ids are integers: "
                                 "pass tensor.long()" % ids.dtype)
        with self.assertRaisesRegex(TypeError, "^targets is a torch.float64 tensor"):
            trajplot.PredictionTrajectory.from_tensor(self.logits, self.ids, self.targets.double())

    def test_other_dlpack_exporters_are_read_in_place_and_let_go(self):
        exporter = Exporter(self.logits)
        add_all = RecordingFunction(self, "trajplot_trajectory_add_all")
        trajplot.PredictionTrajectory.from_tensor(exporter, self.ids)
        self.assertEqual(add_all.calls, [[self.logits.data_ptr(), self.logits.numel()]])
        self.assertEqual(len(exporter.capsules), 1)
        self.assertEqual(sys.getrefcount(exporter.capsules[0]), 2)  # the list's and the argument's
        with self.assertRaisesRegex(TypeError, "^tensor is a test_torch.Exporter of dtype float64 "
                                               "\\(shape 2 x 3 x 4 x 5\\); .*ascontiguousarray"):
            trajplot.PredictionTrajectory.from_tensor(Exporter(self.logits.double()), self.ids)
        with self.assertRaisesRegex(trajplot.InvalidArgumentError,
                                    "^tensor is a test_torch.Exporter on DLPack device type 2 "
                                    "\\(id 0\\)"):
            trajplot.PredictionTrajectory.from_tensor(Exporter(self.logits, device=(2, 0)), self.ids)


if __name__ == "__main__":
    unittest.main()
