#include "fleet/connect.h"

namespace altscribe::fleet {

Result<std::unique_ptr<nats::Connection>> Connect(const NatsServer& server) {
  if (server.urls.empty()) return Status::InvalidArgument("nats: no server URL given");
  nats::ConnectOptions o;
  RETURN_IF_ERROR(nats::ParseUrl(server.urls, &o));
  o.name = server.name;
  o.user = server.user;
  o.password = server.password;
  o.token = server.token;
  return nats::Connection::Connect(o);
}

}  // namespace altscribe::fleet
