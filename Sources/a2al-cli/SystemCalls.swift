#if canImport(Glibc)
import Glibc
/// read(2) and write(2) by names that the CLI's own `read`/`write` methods do not shadow.
let systemRead = Glibc.read
let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
let systemRead = Darwin.read
let systemWrite = Darwin.write
#endif
