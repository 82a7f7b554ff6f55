extension DebugRoutes {
    static let secondsPerMinute: Int64 = 60
    static let secondsPerHour: Int64 = 3600

    /// Go's `time.Duration.String()` for a whole number of seconds, as `verified_ago` shows it:
    /// "0s", "42s", "1m5s", "2h0m3s". Once a larger unit appears every smaller one is written,
    /// even when zero; hours are never folded into days.
    public static func goDuration(seconds: Int64) -> String {
        // The magnitude as UInt64 so Int64.min cannot trap.
        let magnitude = seconds.magnitude
        let sign = seconds < 0 ? "-" : ""
        let hours = magnitude / UInt64(secondsPerHour)
        let minutes = magnitude % UInt64(secondsPerHour) / UInt64(secondsPerMinute)
        let secs = magnitude % UInt64(secondsPerMinute)
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(secs)s" }
        if minutes > 0 { return "\(sign)\(minutes)m\(secs)s" }
        return "\(sign)\(secs)s"
    }
}
