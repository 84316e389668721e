//! # oxpim-msg
//!
//! Outlook `.msg` files ([MS-OXMSG]) for oxpim: a writer that turns an
//! [`oxpim_mapi::Message`] into a compound file (version 3, 512-byte
//! sectors) that Outlook and independent readers open, and a reader that
//! turns any `.msg` back into a message.
//!
//! What it must never do: panic or run unbounded on a hostile file (every
//! size, count and nesting depth is checked against [`ReadOptions`]; the
//! compound-file layer is additionally run under `catch_unwind`), write a
//! file that mixes Unicode and 8-bit strings, or write different bytes for
//! the same message.
//!
//! ## Writer rules
//! - Root CLSID `{00020D0B-0000-0000-C000-000000000046}`; all storage times
//!   are FILETIME 0 so that output is reproducible.
//! - Property entries sorted by tag, flags `0x00000006`; strings are written
//!   as stored (PtypString as UTF-16LE). Empty strings are left out, since
//!   MS-OXMSG requires at least one character and Outlook refuses empty
//!   string streams.
//! - PidTagStoreSupportMask gets STORE_UNICODE_OK (`0x00040000`) in each
//!   message without 8-bit strings (added, or OR-ed into a mask that lacks
//!   it); a message mixing the two string types is refused.
//! - PidTagAttachMethod is set to 5 (embedded message) or 6 (storage) when
//!   an attachment with an object lacks it, and must agree when present.
//! - Named properties get IDs 0x8000… in the order of their (set, name)
//!   over the whole message tree; the mapping storage holds the GUID, entry
//!   and string streams and the hash buckets.
//! - At most [`MAX_ROWS`] recipients or attachments per message, embedded
//!   messages at most [`MAX_DEPTH`] deep.
//!
//! ```
//! use oxpim_mapi::{Message, props};
//!
//! let mut m = Message::with_class("IPM.Note");
//! m.properties.set(&props::PID_TAG_SUBJECT, "Hello")?;
//! let bytes = oxpim_msg::to_bytes(&m)?;
//! let back = oxpim_msg::from_bytes(&bytes)?;
//! assert_eq!(back.properties.str(&props::PID_TAG_SUBJECT), Some("Hello"));
//! assert_eq!(oxpim_msg::to_bytes(&back)?, bytes);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod layout;
pub mod nameid;
mod reader;
mod writer;

use std::panic::{AssertUnwindSafe, catch_unwind};

use oxpim_mapi::Message;

pub use reader::ReadOutcome;
pub use writer::{MSG_CLSID, STORE_UNICODE_OK};

/// Name of the property stream in every storage but the mapping storage.
pub const PROPS_STREAM: &str = "__properties_version1.0";

/// Most recipients, and most attachments, of one message (MS-OXMSG 2.2.1,
/// 2.2.2).
pub const MAX_ROWS: usize = 2048;

/// How deep the writer nests embedded messages and storages.
pub const MAX_DEPTH: usize = 32;

/// Limits of the reader. The defaults read any real-world file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Deepest nesting of embedded messages and storages (default 32).
    pub max_depth: usize,
    /// Most recipients or attachments per message (default 2048, the
    /// MS-OXMSG maximum).
    pub max_rows: usize,
    /// Most entries in one storage, and most property entries in one
    /// property stream (default 65 536).
    pub max_entries_per_storage: usize,
    /// Largest single stream (default 256 MiB).
    pub max_stream_len: u64,
    /// Most bytes read over all streams (default 1 GiB).
    pub max_total_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            max_depth: MAX_DEPTH,
            max_rows: MAX_ROWS,
            max_entries_per_storage: 65_536,
            max_stream_len: 256 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The compound file itself is broken (bad header, sector chains out of
    /// range or cyclic, a stream shorter than declared…).
    #[error("not a readable compound file: {0}")]
    Container(String),
    /// The compound file is fine but the .msg structure is not.
    #[error("malformed .msg: {0}")]
    Malformed(String),
    /// A limit of [`ReadOptions`] was reached.
    #[error("limit reached: {0}")]
    Limit(String),
}

/// Why a message could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Unicode and 8-bit strings in one message (MS-OXMSG 2.1.3 forbids it),
    /// or 8-bit strings with STORE_UNICODE_OK set.
    #[error("a message mixes PtypString and PtypString8 values")]
    MixedStringTypes,
    /// More than 0x7FFF named properties.
    #[error("more than 32767 named properties")]
    TooManyNamedProperties,
    /// A tagged property with an ID in the named range.
    #[error("tag ID 0x{0:04X} is in the named-property range; use a named property")]
    TagInNamedRange(u16),
    /// More than [`MAX_ROWS`] recipients or attachments.
    #[error("more than {0} recipients or attachments in one message")]
    TooManyRows(usize),
    /// Embedded messages nested deeper than [`MAX_DEPTH`].
    #[error("embedded messages nested deeper than {0}")]
    TooDeep(usize),
    /// PidTagAttachMethod disagrees with the attachment's object (5 for an
    /// embedded message, 6 for a storage).
    #[error("attachment {0}: PidTagAttachMethod {1} does not fit its object")]
    AttachMethod(usize, i32),
    /// A [`oxpim_mapi::PropValue::Unknown`] value whose type oxpim models:
    /// it would be written in the wrong layout.
    #[error("an Unknown value has the known type {0}; use the matching PropValue")]
    UnknownOfKnownType(oxpim_mapi::PropType),
    /// An attachment with both PidTagAttachDataBinary and an object.
    #[error("attachment {0} has both data bytes and an embedded object")]
    AttachmentDataTwice(usize),
    /// A value larger than 4 GiB.
    #[error("a value is larger than a .msg can hold")]
    TooLarge,
    /// The compound-file layer failed.
    #[error("compound file: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes a message as `.msg` bytes.
pub fn to_bytes(message: &Message) -> Result<Vec<u8>, WriteError> {
    writer::to_bytes(message)
}

/// Reads a `.msg` file with the default limits, dropping the warnings.
pub fn from_bytes(bytes: &[u8]) -> Result<Message, ReadError> {
    read(bytes, &ReadOptions::default()).map(|o| o.message)
}

/// Reads a `.msg` file: the message and what was tolerated on the way.
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    match catch_unwind(AssertUnwindSafe(|| reader::read(bytes, opts))) {
        Ok(r) => r,
        Err(_) => Err(ReadError::Container(
            "internal error while reading (a panic was caught); please report this file".into(),
        )),
    }
}
