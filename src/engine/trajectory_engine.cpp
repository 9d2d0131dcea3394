// The run-time pieces both statistics engines share: the split of a slab's
// positions among threads, and the batch mean of a statistic.
#include "trajectory_engine.hpp"

#include <algorithm>

#include "parallel.hpp"

namespace trajplot::lens {

void for_blocks_of_positions(std::size_t threads, std::size_t positions, std::size_t work_per_position,
                             const std::function<void(std::size_t begin, std::size_t end)>& reduce) {
    constexpr std::size_t min_work_per_thread = std::size_t{1} << 16;
    const std::size_t available = threads != 0 ? threads : default_thread_count();
    const std::size_t total_work = positions * work_per_position;
    // One block per thread, not more: a block keeps per-thread scratch (the
    // resident fill's output row), allocated once per block.
    const std::size_t blocks =
        std::min({available, positions, std::max<std::size_t>(1, total_work / min_work_per_thread)});
    if (blocks <= 1) {
        reduce(0, positions);
        return;
    }
    run_in_parallel(blocks, blocks,
                    [&](std::size_t block) { reduce(positions * block / blocks, positions * (block + 1) / blocks); });
}

xt::xtensor<float, 2> batch_mean(
    const TrajectoryShape& shape, std::size_t out_layers,
    const std::function<double(std::size_t item, std::size_t layer, std::size_t position)>& value) {
    xt::xtensor<float, 2> stats = xt::xtensor<float, 2>::from_shape({out_layers, shape.seq_len});
    for (std::size_t layer = 0; layer < out_layers; ++layer) {
        for (std::size_t position = 0; position < shape.seq_len; ++position) {
            double sum = 0.0;
            for (std::size_t item = 0; item < shape.batch; ++item) sum += value(item, layer, position);
            stats(layer, position) = static_cast<float>(sum / static_cast<double>(shape.batch));
        }
    }
    return stats;
}

}  // namespace trajplot::lens
