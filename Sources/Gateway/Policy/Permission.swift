/// What a rule allows or denies: an action on a kind of resource, written `resource:action` (`patient:read`).
/// Both halves come from an allow-list, so a misspelt permission stops the gateway instead of silently matching
/// nothing.
struct Permission: Hashable, Sendable, CustomStringConvertible {
    let resource: String
    let action: String

    /// The resources and their actions, as the gateway checks them. Documented in policies/README.md.
    static let catalog: [String: [String]] = [
        "patient": ["create", "read", "update", "archive", "shred"],
        "note": ["read", "write"],
        "task": ["read", "write"],
        "care_team": ["read", "write"],
        "disclosure": ["read", "write"],
        "break_glass": ["use", "read"],
        "audit": ["read"],
        "user": ["read", "manage"],
        "session": ["read", "revoke"],
        "ledger": ["read", "export"],
        "passkey": ["presence_only"],
    ]

    var description: String { "\(resource):\(action)" }

    init(resource: String, action: String) {
        self.resource = resource
        self.action = action
    }

    /// Parses `resource:action` against the catalog; nil when either half is unknown.
    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let actions = Self.catalog[String(parts[0])], actions.contains(String(parts[1])) else {
            return nil
        }
        self.init(resource: String(parts[0]), action: String(parts[1]))
    }
}

/// A rule's permission pattern: one permission, or every action on a resource (`patient:*`).
enum PermissionPattern: Hashable, Sendable, CustomStringConvertible {
    case exactly(Permission)
    case anyAction(on: String)

    init?(_ text: String) {
        if text.hasSuffix(":*") {
            let resource = String(text.dropLast(2))
            guard Permission.catalog[resource] != nil else { return nil }
            self = .anyAction(on: resource)
        } else {
            guard let permission = Permission(text) else { return nil }
            self = .exactly(permission)
        }
    }

    func matches(_ permission: Permission) -> Bool {
        switch self {
        case .exactly(let exact): exact == permission
        case .anyAction(let resource): resource == permission.resource
        }
    }

    var description: String {
        switch self {
        case .exactly(let permission): permission.description
        case .anyAction(let resource): "\(resource):*"
        }
    }
}
