import Hummingbird
import Logging
import NIOCore

/// The per-request context of every route. Hummingbird gives each request an id (`hb.request.id`); it is also
/// put on the logger as `request_id` so every line a request writes carries it, and it is echoed in the
/// `X-Request-Id` response header and in problem documents.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    /// The peer's IP address (no port), for the ledger's actor records; nil when there is no socket.
    let clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress
        self.logger[metadataKey: "request_id"] = .string(self.id)
    }

    /// The id that ties a response, its log lines and its ledger entries together.
    var requestID: String { id }
}
