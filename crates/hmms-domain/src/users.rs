//! Accounts.

crate::keyed_enum! {
    /// Whether an account may sign in.
    UserStatus {
        Active = "active",
        Inactive = "inactive",
    }
}
