@testable import A2ALSocket
import Testing

/// sd_listen_fds(3) rules, checked on the parsing alone (changing this process's environment
/// would race with every other test reading it).
@Suite
struct UnixSocketSystemdTests {
    @Test func acceptsVariablesAddressedToThisProcess() {
        #expect(SystemdActivation.listenDescriptors(listenPID: "4242", listenFDs: "1", ownPID: 4242) == [3])
        #expect(SystemdActivation.listenDescriptors(listenPID: "4242", listenFDs: "3", ownPID: 4242) == [3, 4, 5])
    }

    @Test func ignoresVariablesForAnotherProcessOrGarbled() {
        #expect(SystemdActivation.listenDescriptors(listenPID: "4243", listenFDs: "1", ownPID: 4242) == [])
        #expect(SystemdActivation.listenDescriptors(listenPID: nil, listenFDs: "1", ownPID: 4242) == [])
        #expect(SystemdActivation.listenDescriptors(listenPID: "4242", listenFDs: nil, ownPID: 4242) == [])
        #expect(SystemdActivation.listenDescriptors(listenPID: "4242", listenFDs: "0", ownPID: 4242) == [])
        #expect(SystemdActivation.listenDescriptors(listenPID: "4242", listenFDs: "-2", ownPID: 4242) == [])
        #expect(SystemdActivation.listenDescriptors(listenPID: "x", listenFDs: "1", ownPID: 4242) == [])
        #expect(SystemdActivation.listenDescriptors(listenPID: "4242", listenFDs: "99999999", ownPID: 4242) == [])
    }
}
