#if canImport(Glibc)
import Glibc
#endif

/// `sendmmsg(2)` and `recvmmsg(2)` for the load generator: many datagrams per system call, so
/// the generator wakes, and takes a core from the node, once per batch rather than once per
/// answer. Glibc's Swift module imports neither the calls nor `struct mmsghdr`, so the calls
/// are looked up in libc at start-up and the struct is laid out here (`msghdr`, then the
/// `unsigned int` length, padded to 64 bytes on LP64).
struct MultiMessage {
    var header = msghdr()
    var length: UInt32 = 0
}

enum MultiMessageCalls {
    typealias Send = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32
    typealias Receive = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> Int32

    /// Both calls, or nil where libc lacks them or the layout differs from the C struct's.
    static let calls: (send: Send, receive: Receive)? = {
        guard MemoryLayout<MultiMessage>.stride == 64, MemoryLayout<MultiMessage>.offset(of: \.length) == MemoryLayout<msghdr>.size,
              let send = dlsym(nil, "sendmmsg"), let receive = dlsym(nil, "recvmmsg") else { return nil }
        return (unsafeBitCast(send, to: Send.self), unsafeBitCast(receive, to: Receive.self))
    }()
}

/// Fixed buffers for up to `capacity` datagrams each way on one socket: every request is sent to
/// one destination from its own source address (an IP_PKTINFO control message per datagram), and
/// every answer is read into its own 2 KiB slot. Allocated once, so the pointers the kernel is
/// given stay valid; used by one thread.
final class MultiMessageSocket {
    let fd: Int32
    let capacity: Int
    private let calls: (send: MultiMessageCalls.Send, receive: MultiMessageCalls.Receive)
    private var destination: UnsafeMutablePointer<sockaddr_in>
    private let sendMessages: UnsafeMutablePointer<MultiMessage>
    private let sendVectors: UnsafeMutablePointer<iovec>
    private let controls: UnsafeMutableRawPointer
    private let receiveMessages: UnsafeMutablePointer<MultiMessage>
    private let receiveVectors: UnsafeMutablePointer<iovec>
    private let receiveSlots: UnsafeMutableRawPointer
    static let slotBytes = 2048

    init?(fd: Int32, destination: sockaddr_in, capacity: Int) {
        guard let calls = MultiMessageCalls.calls else { return nil }
        self.fd = fd
        self.capacity = capacity
        self.calls = calls
        self.destination = .allocate(capacity: 1)
        self.destination.initialize(to: destination)
        sendMessages = .allocate(capacity: capacity)
        sendMessages.initialize(repeating: MultiMessage(), count: capacity)
        sendVectors = .allocate(capacity: capacity)
        sendVectors.initialize(repeating: iovec(), count: capacity)
        controls = .allocate(byteCount: capacity * PacketInfoControl.space, alignment: 8)
        controls.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * PacketInfoControl.space)
        receiveMessages = .allocate(capacity: capacity)
        receiveMessages.initialize(repeating: MultiMessage(), count: capacity)
        receiveVectors = .allocate(capacity: capacity)
        receiveSlots = .allocate(byteCount: capacity * Self.slotBytes, alignment: 16)
        for i in 0..<capacity {
            let control = controls + i * PacketInfoControl.space
            PacketInfoControl.initialize(control)
            sendMessages[i].header.msg_name = UnsafeMutableRawPointer(self.destination)
            sendMessages[i].header.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
            sendMessages[i].header.msg_iov = sendVectors + i
            sendMessages[i].header.msg_iovlen = 1
            sendMessages[i].header.msg_control = control
            sendMessages[i].header.msg_controllen = PacketInfoControl.space
            receiveVectors.advanced(by: i).initialize(to: iovec(iov_base: receiveSlots + i * Self.slotBytes, iov_len: Self.slotBytes))
            receiveMessages[i].header.msg_iov = receiveVectors + i
            receiveMessages[i].header.msg_iovlen = 1
        }
    }

    deinit {
        destination.deallocate()
        sendMessages.deallocate()
        sendVectors.deallocate()
        controls.deallocate()
        receiveMessages.deallocate()
        receiveVectors.deallocate()
        receiveSlots.deallocate()
    }

    /// Sends `datagrams` (at most `capacity`; each a pointer and length that stay valid for the
    /// call) from the given IPv4 sources in one call; returns how many the kernel took, or -1.
    func send(_ datagrams: [(bytes: UnsafeRawBufferPointer, source: UInt32)]) -> Int {
        let count = min(datagrams.count, capacity)
        for i in 0..<count {
            let d = datagrams[i]
            sendVectors[i] = iovec(iov_base: UnsafeMutableRawPointer(mutating: d.bytes.baseAddress), iov_len: d.bytes.count)
            PacketInfoControl.setSource(d.source, in: controls + i * PacketInfoControl.space)
        }
        var sent = 0
        while sent < count {
            let n = calls.send(fd, UnsafeMutableRawPointer(sendMessages + sent), UInt32(count - sent), 0)
            if n <= 0 { return sent == 0 ? -1 : sent }
            sent += Int(n)
        }
        return sent
    }

    /// Reads up to `capacity` waiting datagrams without blocking; returns how many (0 if none).
    func receiveWaiting() -> Int {
        // No control buffer is given, so the kernel leaves each msg_controllen at 0.
        let n = calls.receive(fd, UnsafeMutableRawPointer(receiveMessages), UInt32(capacity), Int32(MSG_DONTWAIT), nil)
        return max(0, Int(n))
    }
}
