import A2ALTestSupport
import Foundation
import Testing
@testable import A2ALDaemon

/// The settings table (ConfigKey+Docs.swift) is what `--help`, `--print-config` and
/// docs/systemd.md say about each setting; these hold the three to it.
@Suite struct ConfigTableTests {
    @Test func systemdPageHoldsTheGeneratedTable() throws {
        let page = String(decoding: try PackageRoot.read("docs/systemd.md"), as: UTF8.self)
        #expect(page.contains(ConfigKey.markdownTable), "docs/systemd.md, \"Passing settings\", should read:\n\(ConfigKey.markdownTable)")
    }

    /// The documented default is the value a daemon given nothing runs with.
    @Test func documentedDefaultsAreTheLoadedOnes() throws {
        let loaded = try ConfigLoader.load(overrides: ConfigOverrides(), environment: ["HOME": "/root"], isRoot: true)
        for key in ConfigKey.allCases {
            let value = loaded.text(of: key) == DaemonConfig.noneText ? "none" : loaded.text(of: key)
            #expect(key.defaultText.hasPrefix(value), "\(key.fileKey): documented \(key.defaultText), loaded \(value)")
            #expect(key.help.contains("(default: \(key.defaultText))"), "\(key.flag): \(key.help)")
        }
        #expect(Dictionary(uniqueKeysWithValues: loaded.describe())["max_store_keys"] == ConfigKey.maxStoreKeys.defaultText)
    }

    @Test func namesAreDistinct() {
        let names = ConfigKey.allCases.flatMap { [$0.fileKey, $0.flag, $0.environmentVariable] }
        #expect(Set(names).count == names.count)
        #expect(ConfigKey.allCases.allSatisfy { $0.summary.hasSuffix(".") && !$0.summary.contains("|") })
    }

    /// The real binary: every setting is an option, `--print-config` prints every key with a
    /// value schema/config.json allows, and a config file with a syntax fault stops it with the
    /// file, line and column.
    @Test func theDaemonBinaryUsesTheTable() throws {
        let temp = try StoreTestDirectory()
        func run(_ arguments: [String]) throws -> (status: Int32?, out: String, err: String) {
            let child = try ChildProcess(executable: try DaemonProcess.locateExecutable(), arguments: arguments,
                                         environment: ["HOME": temp.path, "PATH": "/usr/bin:/bin"],
                                         stdoutPath: temp.file("out"), stderrPath: temp.file("err"))
            #expect(child.waitForExit(timeout: .seconds(60)), "a2ald \(arguments) did not exit")
            defer { unlink(temp.file("out")); unlink(temp.file("err")) }
            return (child.exitStatus, (try? temp.read("out")) ?? "", (try? temp.read("err")) ?? "")
        }
        // Wrapped to the terminal width, so compared with whitespace runs made single spaces.
        func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let help = try run(["--help"])
        for key in ConfigKey.allCases {
            #expect(help.out.contains(key.flag), "--help lacks \(key.flag)")
            #expect(flat(help.out).contains(flat(key.help)), "--help lacks the text of \(key.flag)")
        }
        // A file with "$schema" (skipped) that sets some values: what it prints fits the schema.
        try temp.write(#"{"$schema": "config.json", "bootstrap": ["seed.example.org:4121", "[::1]:1"], "socket_group": 0}"#,
                       to: "good.json")
        let printed = try run(["--print-config", "--config", temp.file("good.json"), "--data-dir", temp.path, "--max-connections", "7"])
        #expect(printed.status == 0, "\(printed.err)")
        #expect(printed.out.split(separator: "\n").map { String($0.prefix { $0 != " " }) } == ConfigKey.allCases.map(\.fileKey))
        #expect(printed.out.contains("max_connections = 7\n"))
        let schema = try PackageRoot.json(ConfigSchemaTests.path)
        let violations = JSONSchemaValidator().validate(ConfigSchemaTests.printedConfig(printed.out, schema: schema), against: schema)
        #expect(printed.out.contains("bootstrap = seed.example.org:4121,[::1]:1\n") && violations.isEmpty, "\(violations)")
        #expect(try run(["--print-config-schema"]).out == ConfigSchema.text + "\n")
        try temp.write("{\n  \"passive\": true,\n}\n", to: "bad.json")
        let bad = try run(["--print-config", "--config", temp.file("bad.json")])
        #expect(bad.status != 0)
        #expect(bad.err.contains("config \(temp.file("bad.json")): line 2, column 18: trailing comma"), "\(bad.err)")
    }
}
