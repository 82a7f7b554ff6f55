/// Limits of one-shot push subscriptions (docs/protocol.md, "One-shot push subscriptions").
/// The reference keeps no caps and no rate limits; these bound what a hostile subscriber can
/// make us hold or send.
public enum PushConstants {
    /// A registration (or an ACK renewal) lasts this long.
    public static let subscriptionLifetime: Duration = .seconds(60)
    /// Subscribers held per key; the oldest registration makes room for a new one.
    public static let maxSubscribersPerKey = 32
    /// Subscriptions held for one source IP across all keys; further ones are refused.
    public static let maxSubscriptionsPerSource = 64
    /// Subscriptions held in total; the oldest makes room.
    public static let maxSubscriptions = 4096
    /// How long a push waits for its DHT_PUSH_ACK; one datagram, no retransmission.
    public static let ackTimeout: Duration = .seconds(2)
    /// Pushes sent to one destination IP per window, and the window.
    public static let pushesPerSourceLimit = 20
    public static let pushWindow: Duration = .seconds(10)
    /// Pushes we expect (a subscription we made at a peer), held at most.
    public static let maxExpectations = 4096
    /// Keys this node watches at most.
    public static let maxWatchedKeys = 1024
}
