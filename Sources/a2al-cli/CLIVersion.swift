/// The CLI's version: the daemon's (DaemonVersion.string), which a test keeps equal, since
/// the two are built and released together (docs/cli.md).
enum CLIVersion {
    static let string = "0.1.0"
}
