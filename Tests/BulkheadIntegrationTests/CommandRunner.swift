// Runs tools (psql, pgbench, the cluster scripts) to completion with posix_spawn and waitpid.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion and returns its exit status and combined output.
///
/// Not Foundation's `Process`: its exit detection relies on SIGCHLD, which can hang when threads of the test
/// process block signals, and its children inherit every open descriptor (sockets of the proxy under test
/// included) and daemons they start, such as a PostgreSQL server, keep them open for good. Here the child starts
/// with no descriptor beyond stdin, stdout and stderr, an empty signal mask (pgbench -T relies on SIGALRM) and
/// default signal handlers, and `waitpid` collects it.
@discardableResult
func runCommand(_ arguments: [String], environment: [String: String]? = nil, input: String? = nil) throws -> (status: Int32, output: String) {
    guard let program = arguments.first else { throw PQError(sqlState: nil, message: "runCommand needs a program") }
    var outputPipe: [Int32] = [-1, -1]
    var inputPipe: [Int32] = [-1, -1]
    guard pipe(&outputPipe) == 0, pipe(&inputPipe) == 0 else {
        throw PQError(sqlState: nil, message: "pipe failed: errno \(errno)")
    }
    // Other threads' children must not inherit these ends, or this read would never see the end of the output.
    for descriptor in outputPipe + inputPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    // Glibc's closefrom action is not imported into Swift, so a small wrapper closes every other descriptor.
    let argv = (["python3", "-c", closeAndExec] + arguments).map { strdup($0) } + [nil]
    let envp = environmentLines.map { strdup($0) } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, "python3", &actions, &attributes, argv, envp)
    close(outputPipe[1])
    close(inputPipe[0])
    guard spawned == 0 else {
        close(outputPipe[0])
        close(inputPipe[1])
        throw PQError(sqlState: nil, message: "could not start \(program): errno \(spawned)")
    }
    if let input {
        var bytes = Array(input.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(inputPipe[1], $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written <= 0 { break }
            offset += written
        }
    }
    close(inputPipe[1])
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(outputPipe[0], $0.baseAddress, $0.count) }
        if count > 0 {
            output.append(contentsOf: buffer[0..<count])
        } else if count == 0 || errno != EINTR {
            break
        }
    }
    close(outputPipe[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
    let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, String(decoding: output, as: UTF8.self))
}

/// Closes every descriptor above stderr, then replaces itself with the command given as arguments.
let closeAndExec = "import os, sys; os.closerange(3, os.sysconf('SC_OPEN_MAX')); os.execvp(sys.argv[1], sys.argv[1:])"

/// For long-running children started with Foundation's `Process` (they must be signalled): clears the inherited
/// signal mask, then replaces itself with the command given as arguments.
let unblockAndExec = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"
