#include "daemon/config/input_settings.hpp"

#include "daemon/input/lines/parallel_lines.hpp"

namespace asncounter {

InputOptions input_settings(const Options& options, bool once) {
  InputOptions io;
  io.format = options.input_format;
  io.bpf_filter = options.filter;
  io.direction = options.direction;
  io.once = once;
  // A line input that falls behind parses on up to this many threads.
  io.threads = options.threads ? options.threads : available_cores();
  io.flow_destination = options.flow_address == FlowAddress::dst;
  io.flow_sampling = options.flow_sampling;
  io.flow_exporters = options.flow_exporters;
  io.flow_max_sampling = options.flow_max_sampling;
  io.flow_sampling_overrides = options.flow_sampling_override;
  io.flow_rcvbuf = options.flow_rcvbuf;
  return io;
}

}  // namespace asncounter
