//! Wire types of sign-in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::UserDto;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(format = "email", example = "staff@demo.hmms")]
    pub email: String,
    #[schema(min_length = 1, max_length = 1024, example = "demo-password-2026")]
    pub password: String,
}

/// A signed-in session.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// Send as `Authorization: Bearer …`; valid for `expiresIn` seconds.
    pub access_token: String,
    /// Exchange at `POST /auth/refresh` for a new pair; each refresh token works once.
    pub refresh_token: String,
    pub token_type: String,
    pub expires_in: i64,
}

/// Whether sign-in is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoginStatus {
    /// Signed in: `tokens` are set.
    Ok,
    /// Send a code from the authenticator app with `challengeToken` to `POST /auth/verify-otp`.
    OtpRequired,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub status: LoginStatus,
    pub tokens: Option<TokenPair>,
    /// Valid for five minutes, only for `POST /auth/verify-otp`.
    pub challenge_token: Option<String>,
    /// The role requires a second factor that is not set up yet: until it is, only the
    /// enrolment endpoints answer (`/auth/totp/setup`, `/auth/totp/confirm`, `/auth/me`).
    pub two_factor_enrolment_required: bool,
    /// The password was issued by an administrator and should be changed now.
    pub must_change_password: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOtpRequest {
    pub challenge_token: String,
    /// Six digits from the authenticator app.
    pub code: Option<String>,
    /// Or one of the recovery codes (each works once).
    pub recovery_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The signed-in user, what they may do, and their second-factor state.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user: UserDto,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// ISO 4217 code of the organization's currency; money amounts are in its minor unit.
    pub currency: String,
    pub permissions: Vec<String>,
    pub two_factor_required: bool,
    pub two_factor_enabled: bool,
}

/// A new second-factor secret to add to an authenticator app.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotpSetup {
    /// Base32, for typing in by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code (SVG) to scan.
    pub qr_svg: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

/// Second factor enabled. The recovery codes are shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotpEnabled {
    pub recovery_codes: Vec<String>,
    /// A fresh, fully signed-in session.
    pub tokens: TokenPair,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TotpDisable {
    pub password: String,
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 12 characters.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}
