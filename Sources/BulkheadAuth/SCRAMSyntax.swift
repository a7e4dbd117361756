// Parsing helpers for SCRAM's comma-separated `name=value` messages, shared by the server and the client.

/// One `name=value` attribute, pointing into the message it came from.
struct SCRAMAttribute {
    let name: UInt8
    let value: ArraySlice<UInt8>
    /// Index of the attribute's first byte in the message, used to cut client-final-without-proof.
    let start: Int

    func isNamed(_ letter: Unicode.Scalar) -> Bool {
        name == UInt8(ascii: letter)
    }
}

/// RFC 5802 message grammar pieces.
enum SCRAMSyntax {
    static let comma = UInt8(ascii: ",")

    /// SCRAM messages are UTF-8 text; anything else is refused before it can reach the auth message.
    static func requireUTF8(_ message: [UInt8], in messageName: String) throws(AuthFailure) {
        guard String(validating: message, as: UTF8.self) != nil else {
            throw AuthFailure.invalidMessage("\(messageName) is not valid UTF-8")
        }
    }

    /// Splits on commas and requires every part to be `ALPHA "=" value`, the shape of every SCRAM attribute.
    static func attributes(_ bytes: ArraySlice<UInt8>, in messageName: String) throws(AuthFailure) -> [SCRAMAttribute] {
        var result: [SCRAMAttribute] = []
        for part in bytes.split(separator: comma, omittingEmptySubsequences: false) {
            guard part.count >= 2, isAlpha(part[part.startIndex]),
                  part[part.startIndex + 1] == UInt8(ascii: "=") else {
                throw AuthFailure.invalidMessage("malformed attribute in \(messageName)")
            }
            result.append(SCRAMAttribute(name: part[part.startIndex], value: part.dropFirst(2), start: part.startIndex))
        }
        return result
    }

    /// Returns the value of the attribute at `index`, which must have the given name.
    static func required(
        _ attributes: [SCRAMAttribute], at index: Int, named letter: Unicode.Scalar, in messageName: String
    ) throws(AuthFailure) -> ArraySlice<UInt8> {
        guard index < attributes.count, attributes[index].isNamed(letter) else {
            throw AuthFailure.invalidMessage("\(messageName) lacks the \(letter)= attribute")
        }
        return attributes[index].value
    }

    /// RFC 5802 reserves `m=` for mandatory extensions; none are defined, so one we can't honour ends the exchange.
    static func rejectMandatoryExtension(_ attributes: [SCRAMAttribute], in messageName: String) throws(AuthFailure) {
        if attributes.first?.isNamed("m") == true {
            throw AuthFailure.invalidMessage("\(messageName) requires an unsupported mandatory extension")
        }
    }

    /// A nonce is one or more printable ASCII characters other than ','.
    static func isValidNonce(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && $0 != comma }
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
