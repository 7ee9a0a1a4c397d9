//! Hand-written conveniences on generated types: conversions, per-key adders for free-form
//! parameter objects, and typed views of free-form members whose shape the docs fix.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    ActionDto, CredentialEntity, GenerateRequestUserDto, PresentationEntity, RevokeCredentialDto,
    VerifyPresentationDto,
};

impl From<&str> for GenerateRequestUserDto {
    /// A user identified by a contact (email or phone number) alone.
    fn from(contact: &str) -> Self {
        Self::new(contact)
    }
}

impl From<String> for GenerateRequestUserDto {
    /// A user identified by a contact (email or phone number) alone.
    fn from(contact: String) -> Self {
        Self::new(contact)
    }
}

impl ActionDto {
    /// Adds (or replaces) one of the action's `userParams`: the values the user is asked to
    /// approve, referenced by the action's rules as `userParams.<name>`.
    ///
    /// ```
    /// use humanos_models::ActionDto;
    ///
    /// let action = ActionDto::new("urn:via:action:123")
    ///     .user_param("maxAmount", 10000)
    ///     .user_param("allowedCategories", vec!["BOOKS", "OFFICE"]);
    /// assert_eq!(action.user_params["maxAmount"], 10000);
    /// ```
    #[must_use]
    pub fn user_param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.user_params.insert(name.into(), value.into());
        self
    }
}

impl VerifyPresentationDto {
    /// Adds (or replaces) one of the `executionParams`: what the agent wants to do, referenced by
    /// the action's rules as `executionParams.<name>`.
    #[must_use]
    pub fn execution_param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.execution_params
            .get_or_insert_with(Default::default)
            .insert(name.into(), value.into());
        self
    }

    /// A verification request for a presentation issued by `POST /credential/vp/{vcId}`, sent as
    /// its `presentationEncoded` (the API's recommendation: a base64 string cannot be altered by
    /// JSON re-serialization, which would break the signature).
    pub fn from_presentation(presentation: &PresentationEntity) -> Self {
        Self::new().presentation_encoded(presentation.presentation_encoded.clone())
    }
}

impl RevokeCredentialDto {
    /// Recommended `reason` (VIA protocol §5.5.1): the user withdrew consent.
    pub const USER_INITIATED: &'static str = "user_initiated";
    /// Recommended `reason` (VIA protocol §5.5.1): the organization's policy retired the mandate.
    pub const ORGANIZATION_POLICY: &'static str = "organization_policy";
    /// Recommended `reason` (VIA protocol §5.5.1): the mandate expired by system rule.
    pub const SYSTEM_EXPIRY: &'static str = "system_expiry";
}

impl CredentialEntity {
    /// The free-form `w3cCredential` as a typed credential, for example
    /// [`ViaMandateCredential`](crate::ViaMandateCredential) or
    /// [`W3CVerifiableCredential`](crate::W3CVerifiableCredential).
    ///
    /// The member itself stays a JSON object so that a signed credential is never re-shaped; to
    /// check its proof, canonicalize the JSON, not this typed view.
    pub fn w3c_credential_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(Value::Object(self.w3c_credential.clone()))
    }
}
