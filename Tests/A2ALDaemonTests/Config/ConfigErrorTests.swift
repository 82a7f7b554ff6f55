import Testing
@testable import A2ALDaemon

@Suite struct ConfigFileErrorTests {
    /// Loads `text` as the config file named by --config and returns the error message.
    private func message(_ text: String) throws -> (String?, String) {
        let temp = try StoreTestDirectory()
        try temp.write(text, to: "a2ald.json")
        let path = temp.file("a2ald.json")
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(configFile: path), environment: [:], isRoot: true)
        }
        return (error?.description, path)
    }

    /// Files the daemon refuses, with the message after the path (ConfigSchemaTests checks the
    /// schema refuses them too, at the same key).
    static let badFiles: [(file: String, message: String)] = [
        (#"{"max_connections":"lots"}"#, #"key "max_connections": expected a positive integer, got "lots""#),
        (#"{"max_connections":0}"#, #"key "max_connections": expected a positive integer, got 0"#),
        (#"{"max_line_bytes":-5}"#, #"key "max_line_bytes": expected a positive integer, got -5"#),
        (#"{"max_in_flight":2.5}"#, #"key "max_in_flight": expected a positive integer, got 2.5"#),
        (#"{"max_output_bytes":0}"#, #"key "max_output_bytes": expected a positive integer, got 0"#),
        (#"{"output_stall_timeout_ms":"30s"}"#, #"key "output_stall_timeout_ms": expected a positive integer, got "30s""#),
        (#"{"max_store_keys":null}"#, #"key "max_store_keys": expected a positive integer, got null"#),
        (#"{"store_max_bytes":0}"#, #"key "store_max_bytes": expected a positive integer, got 0"#),
        (#"{"store_max_bytes_per_source":"4M"}"#, #"key "store_max_bytes_per_source": expected a positive integer, got "4M""#),
        (#"{"peer_cache_size":true}"#, #"key "peer_cache_size": expected a positive integer, got true"#),
        (#"{"socket_mode":600}"#, #"key "socket_mode": expected octal permissions from "0" to "0777" (such as "0600"), got 600"#),
        (#"{"socket_mode":"0800"}"#, #"key "socket_mode": expected octal permissions from "0" to "0777" (such as "0600"), got "0800""#),
        (#"{"socket_mode":"1777"}"#, #"key "socket_mode": expected octal permissions from "0" to "0777" (such as "0600"), got "1777""#),
        (#"{"listen":"0.0.0.0"}"#, #"key "listen": expected host:port with a port from 0 to 65535 (IPv6 in brackets, as in "[::]:4121"), got "0.0.0.0" (missing ":port")"#),
        (#"{"listen":"::1:80"}"#, #"key "listen": expected host:port with a port from 0 to 65535 (IPv6 in brackets, as in "[::]:4121"), got "::1:80" (IPv6 addresses must be in brackets, as in "[::1]:4121")"#),
        (#"{"listen":"host:70000"}"#, #"key "listen": expected host:port with a port from 0 to 65535 (IPv6 in brackets, as in "[::]:4121"), got "host:70000" (port 70000 is outside 0…65535)"#),
        (#"{"listen":4121}"#, #"key "listen": expected host:port with a port from 0 to 65535 (IPv6 in brackets, as in "[::]:4121"), got 4121"#),
        (#"{"bootstrap":"a:1"}"#, #"key "bootstrap": expected an array of host:port strings, got "a:1""#),
        (#"{"bootstrap":["a:1","b:0"]}"#, #"key "bootstrap[1]": expected host:port with a port from 1 to 65535 (IPv6 in brackets, as in "[::1]:4121"), got "b:0" (port 0 is outside 1…65535)"#),
        (#"{"bootstrap":["a:1",7]}"#, #"key "bootstrap[1]": expected host:port with a port from 1 to 65535 (IPv6 in brackets, as in "[::1]:4121"), got 7"#),
        (#"{"passive":"yes"}"#, #"key "passive": expected true or false, got "yes""#),
        (#"{"passive":1}"#, #"key "passive": expected true or false, got 1"#),
        (#"{"debug_http":"localhost"}"#, #"key "debug_http": expected host:port or "off", got "localhost" (missing ":port")"#),
        (#"{"debug_http":false}"#, #"key "debug_http": expected host:port, "off" or null, got false"#),
        (#"{"log_level":"verbose"}"#, #"key "log_level": expected one of trace, debug, info, notice, warning, error, critical, got "verbose""#),
        (#"{"data_dir":""}"#, #"key "data_dir": expected a non-empty path, got "" (empty path)"#),
        (#"{"data_dir":["x"]}"#, #"key "data_dir": expected a non-empty path, got an array"#),
        (#"{"socket":"/\#(String(repeating: "s", count: 120))"}"#, #"key "socket": expected a non-empty path of at most 107 bytes, got "/\#(String(repeating: "s", count: 120))" (path is 121 bytes; Unix socket paths are limited to 107)"#),
        (#"{"socket_group":"a b"}"#, #"key "socket_group": expected a group name or number, got "a b""#),
        (#"{"socket_group":{}}"#, #"key "socket_group": expected a group name or number, got an object"#),
    ]

    @Test func wrongTypesAndRangesNameFileKeyAndFault() throws {
        for (text, expected) in Self.badFiles {
            let (description, path) = try message(text)
            #expect(description == "\(path): \(expected)", "for \(text)")
        }
    }

    @Test func exampleFromTheBrief() throws {
        let (description, path) = try message(#"{"max_connections": "lots"}"#)
        #expect(description == "\(path): key \"max_connections\": expected a positive integer, got \"lots\"")
    }

    @Test func unknownKeyNamesKeyAndFile() throws {
        let (description, path) = try message(#"{"listen":"[::]:1","max_conections":5}"#)
        #expect(description?.hasPrefix("\(path): unknown key \"max_conections\" (known keys: data_dir, socket,") == true)
    }

    @Test func notJSONOrNotAnObject() throws {
        let (truncated, path) = try message(#"{"listen": "#)
        #expect(truncated == "config \(path): line 1, column 12: unexpected end of input; expected a value")
        let (array, arrayPath) = try message(#"["listen"]"#)
        #expect(array == "\(arrayPath): the file must hold a JSON object, found an array")
        let (empty, emptyPath) = try message("")
        #expect(empty == "config \(emptyPath): line 1, column 1: empty input; expected a JSON value")
    }

    /// The file is read by the JSON-RPC parser: what a request may not hold, the file may not
    /// either, and the message points at the line and column.
    @Test func strictJSONFaultsNameLineAndColumn() throws {
        let (trailing, path) = try message("{\n  \"listen\": \"[::]:1\",\n  \"passive\": true,\n}\n")
        #expect(trailing == "config \(path): line 3, column 18: trailing comma")
        let (duplicate, duplicatePath) = try message(#"{"passive": true, "passive": false}"#)
        #expect(duplicate == "config \(duplicatePath): line 1, column 19: duplicate member name \"passive\" in object")
        let (comment, commentPath) = try message("{\n  // no comments\n}")
        #expect(comment == "config \(commentPath): line 2, column 3: expected a string for the member name in object")
    }

    @Test func acceptedForms() throws {
        let temp = try StoreTestDirectory()
        try temp.write(#"{"socket_mode":"0o660","socket_group":1000,"listen":"[::]:0","debug_http":"off","bootstrap":[]}"#,
                       to: "a2ald.json")
        let config = try ConfigLoader.load(overrides: ConfigOverrides(configFile: temp.file("a2ald.json")),
                                           environment: [:], isRoot: true)
        #expect(config.socketMode == 0o660)
        #expect(config.socketGroup == "1000")
        #expect(config.listen == "[::]:0")
        #expect(config.debugHTTP == nil)
    }
}

@Suite struct ConfigEnvironmentErrorTests {
    private func message(_ env: [String: String]) -> String? {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(overrides: ConfigOverrides(dataDir: "/nonexistent-a2ald-test"), environment: env, isRoot: true)
        }
        return error?.description
    }

    @Test func badValuesNameTheVariable() {
        #expect(message(["A2AL_SOCKET_MODE": "rw-------"])
                == #"environment variable A2AL_SOCKET_MODE: expected octal permissions from "0" to "0777" (such as "0600"), got "rw-------""#)
        #expect(message(["A2AL_SOCKET_MODE": "1000"])
                == #"environment variable A2AL_SOCKET_MODE: expected octal permissions from "0" to "0777" (such as "0600"), got "1000""#)
        #expect(message(["A2AL_PASSIVE": "yes"]) == #"environment variable A2AL_PASSIVE: expected 1, 0, true or false, got "yes""#)
        #expect(message(["A2AL_LISTEN": "4121"])
                == #"environment variable A2AL_LISTEN: expected host:port with a port from 0 to 65535 (IPv6 in brackets, as in "[::]:4121"), got "4121" (missing ":port")"#)
        #expect(message(["A2AL_BOOTSTRAP": "a:1,[::1:2"])
                == #"environment variable A2AL_BOOTSTRAP: entry 2 "[::1:2": expected host:port with a port from 1 to 65535 (IPv6 in brackets, as in "[::1]:4121") (missing "]" after the IPv6 address)"#)
        #expect(message(["A2AL_DEBUG_HTTP": "127.0.0.1:0"])
                == #"environment variable A2AL_DEBUG_HTTP: expected host:port or "off", got "127.0.0.1:0" (port 0 is outside 1…65535)"#)
        #expect(message(["A2AL_LOG_LEVEL": "INFO"])
                == #"environment variable A2AL_LOG_LEVEL: expected one of trace, debug, info, notice, warning, error, critical, got "INFO""#)
        #expect(message(["A2AL_MAX_CONNECTIONS": "0"])
                == #"environment variable A2AL_MAX_CONNECTIONS: expected a positive integer, got "0""#)
        #expect(message(["A2AL_SOCKET_GROUP": "a b"])
                == #"environment variable A2AL_SOCKET_GROUP: expected a group name or number, got "a b""#)
    }

    @Test func emptyVariablesAreUnset() throws {
        let config = try ConfigLoader.load(overrides: ConfigOverrides(dataDir: "/nonexistent-a2ald-test"),
                                           environment: ["A2AL_LISTEN": "", "A2AL_PASSIVE": "", "A2AL_CONFIG": ""],
                                           isRoot: true)
        #expect(config.listen == "[::]:4121")
        #expect(config.passive == false)
    }
}

@Suite struct ConfigFlagErrorTests {
    @Test func typedOverridesAreValidatedNamingTheFlag() {
        let cases: [(ConfigOverrides, String)] = [
            (ConfigOverrides(socketMode: 0o1000), #"--socket-mode: expected octal permissions from "0" to "0777" (such as "0600"), got "1000""#),
            (ConfigOverrides(listen: "nowhere"), #"--listen: expected host:port with a port from 0 to 65535 (IPv6 in brackets, as in "[::]:4121"), got "nowhere" (missing ":port")"#),
            (ConfigOverrides(bootstrap: ["ok:1", "bad"]), #"--bootstrap: entry 2 "bad": expected host:port with a port from 1 to 65535 (IPv6 in brackets, as in "[::1]:4121") (missing ":port")"#),
            (ConfigOverrides(maxInFlight: -1), "--max-in-flight: expected a positive integer, got -1"),
            (ConfigOverrides(logLevel: "loud"), #"--log-level: expected one of trace, debug, info, notice, warning, error, critical, got "loud""#),
            (ConfigOverrides(dataDir: ""), #"--data-dir: expected a non-empty path, got "" (empty path)"#),
        ]
        for (overrides, expected) in cases {
            let error = #expect(throws: ConfigError.self) {
                try ConfigLoader.load(overrides: overrides, environment: [:], isRoot: true)
            }
            #expect(error?.description == expected)
        }
    }

    @Test func setFromTextParsesLikeTheEnvironment() throws {
        var overrides = ConfigOverrides()
        try overrides.set(.socketMode, text: "660")
        try overrides.set(.bootstrap, text: "a:1, [::1]:2")
        try overrides.set(.debugHTTP, text: "off")
        try overrides.set(.maxStoreKeys, text: "12")
        try overrides.set(.passive, text: "1")
        #expect(overrides.values[.socketMode] == .mode(0o660))
        #expect(overrides.values[.bootstrap] == .strings(["a:1", "[::1]:2"]))
        #expect(overrides.values[.debugHTTP] == .off)
        #expect(overrides.values[.maxStoreKeys] == .int(12))
        #expect(overrides.values[.passive] == .bool(true))

        let error = #expect(throws: ConfigError.self) { try overrides.set(.maxStoreKeys, text: "many") }
        #expect(error?.description == #"--max-store-keys: expected a positive integer, got "many""#)
        #expect(overrides.values[.maxStoreKeys] == .int(12))
    }
}

@Suite struct HostPortTests {
    @Test func acceptedAndRejectedForms() {
        for good in ["1.2.3.4:1", "[::]:4121", "[fe80::1%eth0]:9", "boot-1.a2al.example:65535", "localhost:80"] {
            #expect(HostPort.problem(good, allowPortZero: false) == nil, "\(good)")
        }
        #expect(HostPort.problem("[::]:0", allowPortZero: true) == nil)
        #expect(HostPort.problem("[::]:0", allowPortZero: false) == "port 0 is outside 1…65535")
        #expect(HostPort.problem(":80", allowPortZero: false) == "empty host")
        #expect(HostPort.problem("[]:80", allowPortZero: false) == "empty IPv6 address in brackets")
        #expect(HostPort.problem("[::1]80", allowPortZero: false) == "missing \":port\" after \"]\"")
        #expect(HostPort.problem("[1.2.3.4]:80", allowPortZero: false) == "\"1.2.3.4\" in brackets is not an IPv6 address")
        #expect(HostPort.problem("a b:80", allowPortZero: false)?.contains("not allowed") == true)
        #expect(HostPort.problem("a:+80", allowPortZero: false) == "port \"+80\" is not a number")
        #expect(HostPort.problem("a:", allowPortZero: false) == "port \"\" is not a number")
    }
}
