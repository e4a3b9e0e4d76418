#include "daemon/rpc/store_of.hpp"

namespace asncounter::rpc {

CounterStore* store_of(DaemonControl& d, const Params& p, Reply& error) {
  auto name = p.text(ParamId::input);
  if (!name) return &d.store();
  auto store = d.input_store(*name);
  if (store) return *store;
  error = Reply::failure(ErrorCode::invalid_params, store.error());
  return nullptr;
}

}  // namespace asncounter::rpc
