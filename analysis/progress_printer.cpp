#include "analysis/progress_printer.hpp"

#include <cstdio>
#include <memory>

namespace relucert {

std::function<void(const BuildProgress&)> progress_printer() {
  struct State {
    double last_neuron_seconds = 0, per_neuron = 0;
    std::size_t last_done = 0;
  };
  auto st = std::make_shared<State>();
  return [st](const BuildProgress& p) {
    if (p.neurons_done != st->last_done && p.neurons_done > 0) {
      // Seconds per neuron over the last finished pass(es); later passes see more cells, so the
      // estimate below is optimistic.
      st->per_neuron = (p.seconds - st->last_neuron_seconds) / static_cast<double>(p.neurons_done - st->last_done);
      st->last_neuron_seconds = p.seconds;
      st->last_done = p.neurons_done;
    }
    const double frac = p.neurons_total ? static_cast<double>(p.neurons_done) / static_cast<double>(p.neurons_total) : 1;
    const int width = 24, filled = static_cast<int>(frac * width);
    char bar[32];
    for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
    bar[width] = 0;
    const double rate = p.seconds > 0 ? static_cast<double>(p.cells) / p.seconds : 0;
    char eta[48] = "ETA ?";
    if (st->per_neuron > 0)
      std::snprintf(eta, sizeof eta, "ETA ~%.0f s", st->per_neuron * static_cast<double>(p.neurons_total - p.neurons_done));
    std::fprintf(stderr, "\r[%s] neurons %zu/%zu  cells %zu  pairs %zu  %.0f cells/s  %.1f s  %s   ", bar, p.neurons_done,
                 p.neurons_total, p.cells, p.pairs, rate, p.seconds, p.neurons_done == p.neurons_total ? "done" : eta);
    if (p.neurons_done == p.neurons_total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

}  // namespace relucert
