// SASLprep (RFC 4013) as PostgreSQL applies it to passwords before SCRAM hashing.
import Foundation

/// Password normalisation shared by verifier derivation and the SCRAM client, so a password
/// hashes the same way here as in PostgreSQL and libpq.
enum SASLprep {
    /// The bytes SCRAM feeds to Hi(): the SASLprep form when it exists, otherwise the raw UTF-8,
    /// because PostgreSQL falls back to the raw password rather than refusing it.
    static func passwordBytes(_ password: String) -> [UInt8] {
        Array((prepare(password) ?? password).utf8)
    }

    /// Returns nil where RFC 4013 would reject the string (prohibited output, unassigned code points,
    /// bidirectional rule, or nothing left after mapping).
    static func prepare(_ input: String) -> String? {
        // PostgreSQL skips the whole procedure for ASCII, which also keeps ASCII control characters usable.
        if input.utf8.allSatisfy({ $0 < 0x80 }) {
            return input
        }
        var mapped = String.UnicodeScalarView()
        for scalar in input.unicodeScalars {
            if StringprepTables.nonASCIISpace.containsCodePoint(scalar.value) {
                mapped.append(" ")
            } else if !StringprepTables.mappedToNothing.containsCodePoint(scalar.value) {
                mapped.append(scalar)
            }
        }
        if mapped.isEmpty {
            return nil
        }
        let normalized = String(mapped).precomposedStringWithCompatibilityMapping
        let scalars = Array(normalized.unicodeScalars)
        for scalar in scalars {
            if StringprepTables.prohibited.containsCodePoint(scalar.value) || isUnassignedInUnicode32(scalar) {
                return nil
            }
        }
        return satisfiesBidiRule(scalars) ? normalized : nil
    }

    /// Table A.1 is exactly the set of code points not yet assigned in Unicode 3.2.
    private static func isUnassignedInUnicode32(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else {
            return true
        }
        return age.major > 3 || (age.major == 3 && age.minor > 2)
    }

    /// RFC 3454 section 6: right-to-left text must not mix with left-to-right text and must start and end right-to-left.
    private static func satisfiesBidiRule(_ scalars: [Unicode.Scalar]) -> Bool {
        let isRandAL = { (scalar: Unicode.Scalar) in StringprepTables.randALCat.containsCodePoint(scalar.value) }
        guard scalars.contains(where: isRandAL) else {
            return true
        }
        if scalars.contains(where: { StringprepTables.lCat.containsCodePoint($0.value) }) {
            return false
        }
        guard let first = scalars.first, let last = scalars.last else {
            return false
        }
        return isRandAL(first) && isRandAL(last)
    }
}
