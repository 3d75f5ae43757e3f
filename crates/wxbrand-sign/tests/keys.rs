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
            label: "ENCRYPTED PRIVATE KEY".into(),
            expected: "private key",
        }
    );
    assert_helpful(&e, &["ENCRYPTED PRIVATE KEY", "-nocrypt"]);
}

#[test]
fn unsupported_pem_sections_get_advice_for_the_key_expected() {
    let section = |label: &str| to_pem(label, &[0x30, 0x00]);
    let private = |label: &str| PrivateKey::from_pem(&section(label)).unwrap_err();
    let public = |label: &str| PublicKey::from_pem(&section(label)).unwrap_err();

    let e = private("OPENSSH PRIVATE KEY");
    assert_helpful(
        &e,
        &[
            "private key belongs",
            "not a WeChat Pay key",
            "ssh-keygen -p -m PKCS8 -f key",
        ],
    );
    let e = private("CERTIFICATE REQUEST");
    assert_helpful(
        &e,
        &["CERTIFICATE REQUEST", "private key", "apiclient_key.pem"],
    );
    let e = public("CERTIFICATE REQUEST");
    assert_helpful(
        &e,
        &[
            "CERTIFICATE REQUEST",
            "public key belongs",
            "BEGIN PUBLIC KEY",
        ],
    );
    for label in ["ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"] {
        assert_helpful(
            &public(label),
            &["public key belongs", "never a private key"],
        );
    }
    assert_helpful(
        &public("DSA PARAMETERS"),
        &["BEGIN RSA PUBLIC KEY", "BEGIN PUBLIC KEY"],
    );
    assert_helpful(
        &private("DSA PARAMETERS"),
        &["BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY"],
    );
    // The decryption hint only where it applies.
    for e in [
        private("OPENSSH PRIVATE KEY"),
        private("CERTIFICATE REQUEST"),
        private("DSA PARAMETERS"),
        public("ENCRYPTED PRIVATE KEY"),
        public("DSA PARAMETERS"),
    ] {
        assert!(!e.to_string().contains("-nocrypt"), "{e}");
    }
    // A label from the file is shown escaped.
    let e = private("X\u{1b}[2J");
    assert!(!e.to_string().contains('\u{1b}'), "{e}");
}

#[test]
fn pkcs1_public_keys_load_as_pem_and_der() {
    let spki = PublicKey::from_pem(&vector_key("wechatpay_public_key.pem")).unwrap();
    let pkcs1_pem = extra_key("wechatpay_public_key_pkcs1.pem");
    // The PKCS#1 DER of the same key (aws-lc-rs writes RSAPublicKey).
    let pkcs1_der = aws_lc_rs::rsa::PublicKey::from_der(spki.to_der())
        .unwrap()
        .as_ref()
        .to_vec();
    assert_eq!(to_pem("RSA PUBLIC KEY", &pkcs1_der), pkcs1_pem);
    let from_pem = PublicKey::from_pem(&pkcs1_pem).unwrap();
    let from_der = PublicKey::from_der(&pkcs1_der).unwrap();
    for key in [&from_pem, &from_der] {
        assert_eq!(key.to_der(), spki.to_der());
        assert_eq!(key.bits(), 2048);
    }
    // A PKCS#1 public key where the private key belongs says so, as PEM and as DER.
    assert_eq!(
        PrivateKey::from_pem(&pkcs1_pem).unwrap_err(),
        KeyError::PublicKeyInsteadOfPrivateKey
    );
    assert_eq!(
        PrivateKey::from_der(&pkcs1_der).unwrap_err(),
        KeyError::PublicKeyInsteadOfPrivateKey
    );
    // A short PKCS#1 public key is refused for its size.
    let short =
        aws_lc_rs::rsa::PublicKey::from_der(&der_of(&extra_key("rsa1024_public.pem"))).unwrap();
    let short_pem = to_pem("RSA PUBLIC KEY", short.as_ref());
    assert_eq!(
        PublicKey::from_pem(&short_pem).unwrap_err(),
        KeyError::RsaKeyTooSmall
    );
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
