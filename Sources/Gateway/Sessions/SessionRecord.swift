import Foundation

/// A session as its account sees it in `GET /v1/auth/sessions`.
struct SessionRecord: Sendable, Equatable {
    let id: UUID
    let createdAt: Date
    let lastSeenAt: Date
    let expiresAt: Date
    let authTime: Date
    let authMethods: [String]
    let clientAddress: String?
}
