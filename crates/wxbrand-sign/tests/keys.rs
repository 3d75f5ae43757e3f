//! Key loading: every supported form, and an error saying what to fix for every wrong input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rustls_pki_types::pem::{PemObject as _, SectionKind};
use wxbrand_sign::{KeyError, PrivateKey, PublicKey};

const VECTOR_KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/vectors/keys/");
const EXTRA_KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys-extra/");

fn vector_key(name: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTOR_KEYS}{name}")).unwrap()
}

fn extra_key(name: &str) -> Vec<u8> {
    std::fs::read(format!("{EXTRA_KEYS}{name}")).unwrap()
}

fn der_of(pem: &[u8]) -> Vec<u8> {
    <(SectionKind, Vec<u8>)>::from_pem_slice(pem).unwrap().1
}

fn to_pem(label: &str, der: &[u8]) -> Vec<u8> {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
    .into_bytes()
}

fn ec_pkcs8() -> Vec<u8> {
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
        .unwrap()
        .as_ref()
        .to_vec()
}

fn ec_spki() -> Vec<u8> {
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &ec_pkcs8()).unwrap();
    pair.public_key().as_der().unwrap().as_ref().to_vec()
}

fn assert_helpful(e: &KeyError, words: &[&str]) {
    let text = e.to_string();
    for w in words {
        assert!(text.contains(w), "{e:?}: {text:?} lacks {w:?}");
    }
}

#[test]
fn private_keys_load_from_pkcs8_and_pkcs1_pem_and_der() {
    let pkcs8 = PrivateKey::from_pem(&vector_key("brand_private_key.pem")).unwrap();
    let pkcs1 = PrivateKey::from_pem(&vector_key("brand_private_key_pkcs1.pem")).unwrap();
    let pkcs8_der = PrivateKey::from_der(&der_of(&vector_key("brand_private_key.pem"))).unwrap();
    let pkcs1_der =
        PrivateKey::from_der(&der_of(&vector_key("brand_private_key_pkcs1.pem"))).unwrap();
    let expected = PublicKey::from_pem(&vector_key("brand_public_key.pem")).unwrap();
    for key in [&pkcs8, &pkcs1, &pkcs8_der, &pkcs1_der] {
        assert_eq!(key.public_key().to_der(), expected.to_der());
        assert_eq!(key.modulus_len(), 256);
    }
    // DER handed to from_pem is recognised too.
    assert!(PrivateKey::from_pem(&der_of(&vector_key("brand_private_key.pem"))).is_ok());
    // A file with the certificate and the key together: the key is used.
    let mut both = extra_key("test_certificate.pem");
    both.extend_from_slice(&vector_key("brand_private_key.pem"));
    assert_eq!(
        PrivateKey::from_pem(&both).unwrap().public_key().to_der(),
        expected.to_der()
    );
}

#[test]
fn public_keys_load_from_spki_pem_and_der() {
    let pem = PublicKey::from_pem(&vector_key("wechatpay_public_key.pem")).unwrap();
    let der = PublicKey::from_der(&der_of(&vector_key("wechatpay_public_key.pem"))).unwrap();
    assert_eq!(pem.to_der(), der.to_der());
    assert_eq!(pem.bits(), 2048);
}

#[test]
fn empty_input() {
    for input in [&b""[..], b"   \n\t"] {
        let e = PrivateKey::from_pem(input).unwrap_err();
        assert_eq!(e, KeyError::Empty);
        assert_helpful(&e, &["empty", "path"]);
        assert_eq!(PublicKey::from_pem(input).unwrap_err(), KeyError::Empty);
    }
    assert_eq!(PrivateKey::from_der(b"").unwrap_err(), KeyError::Empty);
    assert_eq!(PublicKey::from_der(b"").unwrap_err(), KeyError::Empty);
}

#[test]
fn garbage_input() {
    let e = PrivateKey::from_pem(b"this is not a key at all").unwrap_err();
    assert_eq!(
        e,
        KeyError::Unrecognized {
            expected: "private key"
        }
    );
    assert_helpful(&e, &["not a PEM or DER private key", "BEGIN"]);
    let e = PublicKey::from_pem(b"/etc/wechatpay/pub_key.pem").unwrap_err();
    assert_eq!(
        e,
        KeyError::Unrecognized {
            expected: "public key"
        }
    );
    assert_eq!(
        PrivateKey::from_der(&[0x30, 0x03, 0x01, 0x01, 0xFF]).unwrap_err(),
        KeyError::Unrecognized {
            expected: "private key"
        }
    );
    assert_eq!(
        PublicKey::from_der(b"\x00\x01\x02").unwrap_err(),
        KeyError::Unrecognized {
            expected: "public key"
        }
    );
}

#[test]
fn damaged_pem() {
    let e = PrivateKey::from_pem(
        b"-----BEGIN PRIVATE KEY-----\nMIIE!!!notbase64\n-----END PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert!(matches!(e, KeyError::MalformedPem { .. }), "{e:?}");
    assert_helpful(&e, &["damaged", "Base64"]);
    let e =
        PrivateKey::from_pem(b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n")
            .unwrap_err();
    assert!(matches!(e, KeyError::MalformedPem { .. }), "{e:?}");
    // Valid Base64 of a truncated key.
    let mut der = der_of(&vector_key("brand_private_key.pem"));
    der.truncate(200);
    let e = PrivateKey::from_pem(&to_pem("PRIVATE KEY", &der)).unwrap_err();
    assert!(
        matches!(
            e,
            KeyError::Unrecognized { .. } | KeyError::InvalidKey { .. }
        ),
        "{e:?}"
    );
}

#[test]
fn unsupported_pem_section() {
    let e = PrivateKey::from_pem(
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        KeyError::UnsupportedPemSection {
            label: "ENCRYPTED PRIVATE KEY".into()
        }
    );
    assert_helpful(&e, &["ENCRYPTED PRIVATE KEY", "-nocrypt"]);
}

#[test]
fn certificate_where_a_private_key_belongs() {
    let cert = extra_key("test_certificate.pem");
    let e = PrivateKey::from_pem(&cert).unwrap_err();
    assert_eq!(e, KeyError::CertificateInsteadOfPrivateKey);
    assert_helpful(&e, &["certificate", "apiclient_key.pem"]);
    assert_eq!(
        PrivateKey::from_der(&der_of(&cert)).unwrap_err(),
        KeyError::CertificateInsteadOfPrivateKey
    );
}

#[test]
fn public_key_where_a_private_key_belongs() {
    let public = vector_key("brand_public_key.pem");
    let e = PrivateKey::from_pem(&public).unwrap_err();
    assert_eq!(e, KeyError::PublicKeyInsteadOfPrivateKey);
    assert_helpful(&e, &["public key", "private key"]);
    assert_eq!(
        PrivateKey::from_der(&der_of(&public)).unwrap_err(),
        KeyError::PublicKeyInsteadOfPrivateKey
    );
}

#[test]
fn private_key_where_a_public_key_belongs() {
    for name in ["wechatpay_private_key.pem", "brand_private_key_pkcs1.pem"] {
        let private = vector_key(name);
        let e = PublicKey::from_pem(&private).unwrap_err();
        assert_eq!(e, KeyError::PrivateKeyInsteadOfPublicKey);
        assert_helpful(&e, &["private key", "BEGIN PUBLIC KEY"]);
        assert_eq!(
            PublicKey::from_der(&der_of(&private)).unwrap_err(),
            KeyError::PrivateKeyInsteadOfPublicKey
        );
    }
}

#[test]
fn certificate_where_a_public_key_belongs() {
    let cert = extra_key("test_certificate.pem");
    let e = PublicKey::from_pem(&cert).unwrap_err();
    assert_eq!(e, KeyError::CertificateInsteadOfPublicKey);
    assert_helpful(
        &e,
        &["certificate", "extract", "WeChat Pay public key file"],
    );
    assert_eq!(
        PublicKey::from_der(&der_of(&cert)).unwrap_err(),
        KeyError::CertificateInsteadOfPublicKey
    );
}

#[test]
fn non_rsa_keys() {
    let ec = ec_pkcs8();
    let e = PrivateKey::from_der(&ec).unwrap_err();
    assert_eq!(e, KeyError::NotRsa);
    assert_helpful(&e, &["not an RSA key", "RSA-2048"]);
    assert_eq!(
        PrivateKey::from_pem(&to_pem("PRIVATE KEY", &ec)).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        PrivateKey::from_pem(&to_pem("EC PRIVATE KEY", b"\x30\x00")).unwrap_err(),
        KeyError::NotRsa
    );
    let ed = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    assert_eq!(
        PrivateKey::from_der(ed.as_ref()).unwrap_err(),
        KeyError::NotRsa
    );

    let spki = ec_spki();
    assert_eq!(PublicKey::from_der(&spki).unwrap_err(), KeyError::NotRsa);
    assert_eq!(
        PublicKey::from_pem(&to_pem("PUBLIC KEY", &spki)).unwrap_err(),
        KeyError::NotRsa
    );
}

#[test]
fn rsa_below_2048_bits() {
    for name in ["rsa1024_private.pem", "rsa1024_private_pkcs1.pem"] {
        let e = PrivateKey::from_pem(&extra_key(name)).unwrap_err();
        assert_eq!(e, KeyError::RsaKeyTooSmall, "{name}");
        assert_helpful(&e, &["2048"]);
    }
    assert_eq!(
        PublicKey::from_pem(&extra_key("rsa1024_public.pem")).unwrap_err(),
        KeyError::RsaKeyTooSmall
    );
}

#[test]
fn debug_shows_no_key_material() {
    let key = PrivateKey::from_pem(&vector_key("brand_private_key.pem")).unwrap();
    let public = key.public_key();
    let der_b64 = STANDARD.encode(public.to_der());
    for text in [format!("{key:?}"), format!("{public:?}")] {
        assert!(text.len() < 80, "{text}");
        assert!(!text.contains(&der_b64[40..60]), "{text}");
    }
}
