// Timing-independent byte comparison for proofs, signatures and password hashes.

/// Compares without an early exit so the time taken does not reveal how many leading bytes match.
/// Only the lengths may leak, and every caller compares values whose length is public.
func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else {
        return false
    }
    var difference: UInt8 = 0
    for index in lhs.indices {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}
