/// The OpenRPC document that `rpc.discover` returns: schema/openrpc.json (made from the schema
/// files by scripts/gen-openrpc.py), embedded in the binary by SwiftPM (`.embedInCode` in
/// Package.swift; Resources/openrpc.json links to the schema file) so the daemon reads no
/// files at run time.
package enum OpenRPCDocument {
    package static var bytes: [UInt8] { PackageResources.openrpc_json }
    package static var json: String { String(decoding: bytes, as: UTF8.self) }
}
