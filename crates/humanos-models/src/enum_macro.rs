//! The unknown-value machinery of the generated enums.
//!
//! `string_enum!` and `int_enum!` declare a `#[non_exhaustive]` enum with one variant per
//! documented value plus `Unknown(_)`, which keeps any other value verbatim: deserializing
//! `"SOMETHING_NEW"` succeeds and serializes back to `"SOMETHING_NEW"`. Serde is implemented by
//! hand (a `String` / `Number` round trip), which is both exact and cheaper to compile than a
//! derive with `#[serde(other)]` (which cannot keep the value anyway).

/// Declares a string enum: `Variant = "wire value",` per documented value.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// `#[non_exhaustive]`: a value this SDK version does not know deserializes into
        /// `Unknown` and serializes back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(value) => value,
                }
            }

            /// Whether this value is not one this version of the SDK knows.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::core::convert::From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $value => Self::$variant, )+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

/// Declares an integer enum: `Variant = 201,` per documented value. `Unknown` keeps the JSON
/// number exactly (including a non-integer one).
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// `#[non_exhaustive]`: a value this SDK version does not know deserializes into
        /// `Unknown` and serializes back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept verbatim.
            Unknown(::serde_json::Number),
        }

        impl $name {
            /// The value as a JSON number, as it appears on the wire.
            pub fn as_number(&self) -> ::serde_json::Number {
                match self {
                    $( Self::$variant => ::serde_json::Number::from($value as u64), )+
                    Self::Unknown(value) => value.clone(),
                }
            }

            /// The value as an integer, when it is one.
            pub fn code(&self) -> Option<u64> {
                match self {
                    $( Self::$variant => Some($value), )+
                    Self::Unknown(value) => value.as_u64(),
                }
            }

            /// Whether this value is not one this version of the SDK knows.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::convert::From<::serde_json::Number> for $name {
            fn from(value: ::serde_json::Number) -> Self {
                match value.as_u64() {
                    $( Some($value) => Self::$variant, )+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::core::convert::From<u64> for $name {
            fn from(value: u64) -> Self {
                Self::from(::serde_json::Number::from(value))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.as_number(), f)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant => serializer.serialize_u64($value), )+
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <::serde_json::Number as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

pub(crate) use {int_enum, string_enum};
