// One prepared statement a client named, as the proxy keeps it under transaction pooling.

import BulkheadWire

/// A client's named prepared statement under transaction pooling: the Parse as sent to servers (under the
/// server-side name), and where routing sends work that uses it, as classified at Parse.
struct ClientStatement: Sendable {
    var parse: Parse
    var route: StatementRoute
}
