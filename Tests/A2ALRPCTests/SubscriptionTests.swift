import Synchronization
import Testing
@testable import A2ALRPC

@Suite struct SubscriptionTests {
    /// Subscribes `session` to `event` and returns the subscription id.
    private func subscribe(_ session: RPCSession, _ sink: RecordingSink, _ event: String) async -> String {
        let before = sink.rawLines.count
        session.receive(#"{"jsonrpc":"2.0","id":"sub","method":"subscribe","params":{"event":""# + event + #""}}"#)
        let replies = await sink.waitForLines(before + 1)
        let id = replies.last?["result"]?["subscription"]?.stringValue ?? ""
        #expect(id.count == 16 && id.allSatisfy(\.isHexDigit), "subscription id \(id)")
        return id
    }

    private func event(_ id: String, _ result: String) -> String {
        #"{"jsonrpc":"2.0","method":"subscription","params":{"subscription":""# + id + #"","result":"# + result + "}}"
    }

    @Test func deliversToEverySubscriber() async {
        let t = TestService()
        let (a, sinkA) = t.session()
        let (b, sinkB) = t.session()
        let idA = await subscribe(a, sinkA, "observed_addr")
        let idB = await subscribe(b, sinkB, "observed_addr")
        #expect(idA != idB)
        #expect(t.hub.hasSubscribers("observed_addr"))
        #expect(!t.hub.hasSubscribers("peer_health"))
        #expect(t.hub.subscriptionCount == 2)
        t.hub.publish("observed_addr", ["observed": "1.2.3.4:5", "n": 1])
        t.hub.publish("peer_health", ["ignored": true])
        #expect(sinkA.texts.last == event(idA, #"{"observed":"1.2.3.4:5","n":1}"#))
        #expect(sinkB.texts.last == event(idB, #"{"observed":"1.2.3.4:5","n":1}"#))
        #expect(sinkA.texts.count == 2 && sinkB.texts.count == 2)
    }

    @Test func unsubscribeEndsDelivery() async {
        let t = TestService()
        let (a, sink) = t.session()
        let id = await subscribe(a, sink, "peer_health")
        a.receive(#"{"jsonrpc":"2.0","id":2,"method":"unsubscribe","params":{"subscription":""# + id + #""}}"#)
        var replies = await sink.waitForLines(2)
        #expect(replies[1]["result"] == ["unsubscribed": true])
        t.hub.publish("peer_health", ["x": 1])
        a.receive(#"{"jsonrpc":"2.0","id":3,"method":"unsubscribe","params":{"subscription":""# + id + #""}}"#)
        replies = await sink.waitForLines(3)
        #expect(replies.count == 3)
        #expect(replies[2].errorCode == -32001)
        #expect(replies[2]["error"]?["data"] == ["kind": "not_found", "subscription": .string(id)])
        #expect(t.hub.subscriptionCount == 0)
    }

    @Test func anotherConnectionCannotUnsubscribe() async {
        let t = TestService()
        let (a, sinkA) = t.session()
        let (b, sinkB) = t.session()
        let id = await subscribe(a, sinkA, "peer_health")
        b.receive(#"{"jsonrpc":"2.0","id":1,"method":"unsubscribe","params":{"subscription":""# + id + #""}}"#)
        let replies = await sinkB.waitForLines(1)
        #expect(replies[0].errorCode == -32001)
        #expect(t.hub.subscriptionCount == 1)
    }

    @Test func unknownEventListsTheValidNames() async {
        let t = TestService()
        let (a, sink) = t.session()
        a.receive(#"{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"event":"new_block"}}"#)
        a.receive(#"{"jsonrpc":"2.0","id":2,"method":"subscribe","params":{"event":"peer_health","extra":1}}"#)
        let replies = await sink.waitForLines(2)
        let byID = Dictionary(uniqueKeysWithValues: replies.compactMap { r in r["id"]?.intValue.map { ($0, r) } })
        #expect(byID[1]?.errorCode == -32602)
        #expect(byID[1]?.errorMessage == "invalid params: event: \"new_block\" is not one of observed_addr, peer_health")
        #expect(byID[1]?["error"]?["data"]?["field"] == "event")
        #expect(byID[2]?.errorMessage == "invalid params: extra: unknown parameter")
        #expect(t.hub.subscriptionCount == 0)
    }

    @Test func subscriptionsPerConnectionAreCapped() async {
        let t = TestService(limits: RPCLimits(maxSubscriptionsPerConnection: 2))
        let (a, sink) = t.session()
        _ = await subscribe(a, sink, "peer_health")
        _ = await subscribe(a, sink, "peer_health")
        a.receive(#"{"jsonrpc":"2.0","id":3,"method":"subscribe","params":{"event":"observed_addr"}}"#)
        let replies = await sink.waitForLines(3)
        #expect(replies[2].errorCode == -32007)
        #expect(replies[2].errorMessage == "too many subscriptions on this connection (limit 2)")
    }

    @Test func slowSubscriberGetsOneFinalNoticePerSubscription() async {
        let t = TestService(limits: RPCLimits(maxSubscriberBacklog: 4))
        let (slow, slowSink) = t.session()
        let (fast, fastSink) = t.session()
        let slowA = await subscribe(slow, slowSink, "observed_addr")
        let slowB = await subscribe(slow, slowSink, "peer_health")
        let fastA = await subscribe(fast, fastSink, "observed_addr")

        slowSink.backlog = 4  // at the limit, not past it: still delivered
        t.hub.publish("observed_addr", ["n": 1])
        #expect(slowSink.texts.last == event(slowA, #"{"n":1}"#))

        slowSink.backlog = 5
        t.hub.publish("observed_addr", ["n": 2])
        t.hub.publish("observed_addr", ["n": 3])
        t.hub.publish("peer_health", ["n": 4])

        let slowLines = Array(slowSink.values.dropFirst(3))
        #expect(slowLines.count == 2, "\(slowSink.texts)")
        #expect(Set(slowLines.compactMap { $0["params"]?["subscription"]?.stringValue }) == [slowA, slowB])
        for notice in slowLines {
            #expect(notice["method"] == "subscription")
            #expect(notice["params"]?["result"] == nil)
            #expect(notice["params"]?["error"] == [
                "code": -32011,
                "message": "subscriber too slow: more than 4 undelivered lines; subscription ended",
                "data": ["kind": "slow_subscriber"],
            ])
        }
        #expect(fastSink.texts.suffix(3) == [event(fastA, #"{"n":1}"#), event(fastA, #"{"n":2}"#), event(fastA, #"{"n":3}"#)])
        #expect(t.hub.subscriptionCount == 1)

        // The slow connection stays open for calls (and may subscribe again).
        slowSink.backlog = 0
        slow.receive(#"{"jsonrpc":"2.0","id":9,"method":"echo"}"#)
        let after = await slowSink.waitForLines(6)
        #expect(after.last?["id"] == 9)
    }

    @Test func closingTheConnectionDropsItsSubscriptions() async {
        let t = TestService()
        let (a, sink) = t.session()
        let (b, sinkB) = t.session()
        _ = await subscribe(a, sink, "peer_health")
        _ = await subscribe(a, sink, "observed_addr")
        _ = await subscribe(b, sinkB, "peer_health")
        #expect(t.hub.subscriptionCount == 3)
        a.connectionClosed()
        #expect(t.hub.subscriptionCount == 1)
        #expect(t.service.connectionCount == 1)
        t.hub.publish("peer_health", ["x": 1])
        #expect(sink.texts.count == 2)
        #expect(sinkB.texts.count == 2)
        // Subscribing on a closed connection can not leave a subscription behind.
        #expect(throws: RPCError.self) { try t.hub.subscribe(event: "peer_health", connection: a.connection.id, maxPerConnection: 8) }
        b.connectionClosed()
        #expect(t.hub.subscriptionCount == 0)
    }

    /// What else a host scopes to a connection (the daemon's watches) learns of its end.
    @Test func closeObserversHearOfEveryConnectionThatCloses() async {
        let t = TestService()
        let closed = Mutex<[UInt64]>([])
        t.hub.addCloseObserver { id in closed.withLock { $0.append(id) } }
        let (a, _) = t.session()
        let (b, _) = t.session()
        #expect(t.hub.isOpen(a.connection.id) && t.hub.isOpen(b.connection.id))
        #expect(!t.hub.isOpen(0))  // in-process calls have no connection
        a.connectionClosed()
        #expect(!t.hub.isOpen(a.connection.id) && t.hub.isOpen(b.connection.id))
        #expect(closed.withLock { $0 } == [a.connection.id])
        a.connectionClosed()  // told once
        b.connectionClosed()
        #expect(closed.withLock { $0 } == [a.connection.id, b.connection.id])
    }
}
