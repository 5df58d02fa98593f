import PostgresNIO

/// A safe one-line account of a database error for operators: the server's message and SQLSTATE, never the
/// query text or bound values (which may hold PHI).
enum PostgresErrorText {
    static func describe(_ error: any Error) -> String {
        if let transactionError = error as? PostgresTransactionError {
            if let cause = transactionError.closureError ?? transactionError.commitError ?? transactionError.beginError {
                return describe(cause)
            }
        }
        guard let error = error as? PSQLError else {
            return "\(type(of: error))"
        }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        switch error.code {
        case .connectionError: return "could not connect to the database"
        case .serverClosedConnection: return "the database closed the connection"
        default: return "database error \(error.code)"
        }
    }

    /// The SQLSTATE the server reported, or nil when the error did not come from the server (a lost connection,
    /// say), in which case whether a statement took effect is unknown.
    static func sqlState(of error: any Error) -> String? {
        serverError(of: error)?.serverInfo?[.sqlState]
    }

    /// The DETAIL the server reported with an error, if any.
    static func detail(of error: any Error) -> String? {
        serverError(of: error)?.serverInfo?[.detail]
    }

    /// The driver's error behind `error`, looking through a failed transaction to the step that failed.
    private static func serverError(of error: any Error) -> PSQLError? {
        if let transactionError = error as? PostgresTransactionError {
            return (transactionError.closureError ?? transactionError.commitError ?? transactionError.beginError).flatMap(serverError(of:))
        }
        return error as? PSQLError
    }
}
