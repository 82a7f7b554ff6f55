import A2ALDaemon
print("a2ald \(DaemonVersion.string)")
