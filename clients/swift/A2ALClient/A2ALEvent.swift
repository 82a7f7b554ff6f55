import A2ALRPC

/// One event delivered to a subscription: which subscription, which event, and the event's
/// body as described in `schema/events/<event>.json`.
public struct A2ALEvent: Sendable, Equatable {
    public let subscription: String
    public let event: String
    public let result: JSONValue

    public init(subscription: String, event: String, result: JSONValue) {
        self.subscription = subscription
        self.event = event
        self.result = result
    }
}
