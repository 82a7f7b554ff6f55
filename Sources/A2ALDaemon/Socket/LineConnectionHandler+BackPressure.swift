import NIOCore

/// Back-pressure against a client that does not read its replies (docs/security.md, "Local
/// clients"; docs/jsonrpc.md, "Framing and protocol"). Once a line leaves the connection's
/// unsent output past `budget.highWater`, no more of its requests are framed and NIO is not
/// asked to read from it; the kernel's socket buffer fills and the client's writes block. When
/// the output drains to `budget.lowWater` reading resumes with the held bytes. A connection
/// that stays paused for `budget.stallTimeout` is closed. All of it runs on the event loop.
extension LineConnectionHandler {
    /// Outbound `read`: held back while paused, so NIO stops reading the socket.
    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Keeps bytes read while paused (at most what NIO read in the current wake-up: no read is
    /// asked for while paused).
    func hold(_ buffer: inout ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        if held == nil {
            held = buffer
        } else {
            held?.writeBuffer(&buffer)
        }
    }

    func pause(context: ChannelHandlerContext) {
        guard !paused else { return }
        paused = true
        let timeout = budget.stallTimeout
        stallTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self, self.paused else { return }
            self.logger.notice("closing rpc connection: client not reading its replies", metadata: [
                "unsent_bytes": "\(self.connection?.sink.unsentBytes ?? 0)",
                "stalled_ms": "\(timeout.nanoseconds / 1_000_000)",
            ])
            context.close(promise: nil)
        }
    }

    /// After each completed write: resume once the output has drained to the low-water mark.
    func outputDrained(context: ChannelHandlerContext) {
        guard paused, let sink = connection?.sink, sink.unsentBytes <= budget.lowWater else { return }
        paused = false
        stallTimer?.cancel()
        stallTimer = nil
        if var pending = held {
            held = nil
            frame(&pending, context: context)
            if paused { return }  // the held lines alone filled the budget again
        }
        if inputEndedWhileHeld {
            inputEndedWhileHeld = false
            endOfInput(context: context)
        }
        if readPending {
            readPending = false
            context.read()
        }
    }
}
