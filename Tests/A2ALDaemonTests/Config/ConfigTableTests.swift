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
}
