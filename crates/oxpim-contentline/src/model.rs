//! The component tree: documents, components, properties and parameters.

use std::hash::{BuildHasherDefault, Hash, Hasher};

use indexmap::{Equivalent, IndexMap};
use smallvec::SmallVec;

use crate::names::Name;
use crate::str::Str;

use crate::value::{Value, ValueType, Values};

/// The text formats oxpim reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// iCalendar 2.0 (RFC 5545, with RFC 7986, 9073, 9074 names).
    ICalendar,
    /// vCalendar 1.0 (`BEGIN:VCALENDAR` with `VERSION:1.0`).
    VCalendar10,
    /// vCard 2.1.
    VCard21,
    /// vCard 3.0 (RFC 2426).
    VCard30,
    /// vCard 4.0 (RFC 6350).
    VCard40,
    /// Not determined (a stray component outside any known object).
    #[default]
    Unknown,
}

impl Dialect {
    /// True for the vCard versions.
    pub fn is_vcard(self) -> bool {
        matches!(self, Dialect::VCard21 | Dialect::VCard30 | Dialect::VCard40)
    }
    /// True for iCalendar and vCalendar.
    pub fn is_calendar(self) -> bool {
        matches!(self, Dialect::ICalendar | Dialect::VCalendar10)
    }
    /// The VERSION value of this dialect.
    pub fn version(self) -> Option<&'static str> {
        Some(match self {
            Dialect::ICalendar => "2.0",
            Dialect::VCalendar10 => "1.0",
            Dialect::VCard21 => "2.1",
            Dialect::VCard30 => "3.0",
            Dialect::VCard40 => "4.0",
            Dialect::Unknown => return None,
        })
    }
    /// A human name ("iCalendar 2.0", "vCard 3.0", …).
    pub fn label(self) -> &'static str {
        match self {
            Dialect::ICalendar => "iCalendar 2.0",
            Dialect::VCalendar10 => "vCalendar 1.0",
            Dialect::VCard21 => "vCard 2.1",
            Dialect::VCard30 => "vCard 3.0",
            Dialect::VCard40 => "vCard 4.0",
            Dialect::Unknown => "unknown",
        }
    }
    /// The dialect of an object named `component` (`VCALENDAR`/`VCARD`)
    /// with the given VERSION value.
    pub fn from_version(component: &str, version: &str) -> Option<Dialect> {
        let v = version.trim();
        if component.eq_ignore_ascii_case("VCALENDAR") {
            match v {
                "2.0" => Some(Dialect::ICalendar),
                "1.0" => Some(Dialect::VCalendar10),
                _ => None,
            }
        } else if component.eq_ignore_ascii_case("VCARD") {
            match v {
                "2.1" => Some(Dialect::VCard21),
                "3.0" => Some(Dialect::VCard30),
                "4.0" => Some(Dialect::VCard40),
                _ => None,
            }
        } else {
            None
        }
    }
}

pub(crate) use crate::str::Source;

/// Exact source bytes of an item, kept so that an unmodified item is
/// written back byte for byte: a range of the shared input (whole-input
/// parsing), or of a private copy of the item's bytes (streaming, or a
/// range beyond 4 GiB), which is then the whole range. One form for both
/// keeps it two words wide, and with it every property and component.
#[derive(Clone)]
pub(crate) struct Raw {
    src: Source,
    start: u32,
    end: u32,
}

impl Raw {
    /// `start..end` of `src`: a shared range, or a copy when the offsets do
    /// not fit in 32 bits.
    pub(crate) fn range(src: &Source, start: usize, end: usize) -> Raw {
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(s), Ok(e)) => Raw {
                src: src.clone(),
                start: s,
                end: e,
            },
            _ => Raw::owned(src.bytes().get(start..end).unwrap_or_default()),
        }
    }

    /// A copy of `bytes`.
    pub(crate) fn owned(bytes: &[u8]) -> Raw {
        Raw {
            src: Source::copy(bytes.to_vec()),
            start: 0,
            end: 0,
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self.src.copied() {
            Some(all) => all,
            None => self
                .src
                .bytes()
                .get(self.start as usize..self.end as usize)
                .unwrap_or_default(),
        }
    }

    /// Extends the range to `end` of the same source (a shared range), or
    /// appends `bytes` (a copy).
    pub(crate) fn extend(&mut self, end: usize, bytes: &[u8]) {
        if let Some(copy) = self.src.copied_mut() {
            copy.extend_from_slice(bytes);
            return;
        }
        match u32::try_from(end) {
            Ok(v) => self.end = v,
            Err(_) => *self = Raw::range(&self.src.clone(), self.start as usize, end),
        }
    }

    /// True for a range of a shared input (not a copy).
    #[cfg(test)]
    fn is_shared(&self) -> bool {
        self.src.copied().is_none()
    }
}

impl std::fmt::Debug for Raw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Raw({:?})", String::from_utf8_lossy(self.bytes()))
    }
}

/// A parameter name, stored in uppercase; lookups ignore ASCII case.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key(Name);

/// A small, fast hasher for the few short keys of one parameter map
/// (HashDoS does not apply: a map holds at most `Limits::max_params` keys).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u8(b);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type KeyMap = IndexMap<Key, Param, BuildHasherDefault<KeyHasher>>;

/// Parameter maps up to this size are vectors searched in order
/// ([`Store::Small`]); larger ones are hashed.
const SCAN_PARAMS: usize = 8;

fn hash_upper<H: Hasher>(s: &str, state: &mut H) {
    for b in s.bytes() {
        state.write_u8(b.to_ascii_uppercase());
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_upper(&self.0, state);
    }
}

struct KeyRef<'a>(&'a str);

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_upper(self.0, state);
    }
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        key.0.eq_ignore_ascii_case(self.0)
    }
}

/// One value of a parameter. Equality compares the value only: quoting is
/// presentation.
#[derive(Debug, Clone, Eq)]
pub struct ParamValue {
    /// The value, with quotes removed and RFC 6868 carets decoded. Common
    /// values (`TRUE`, `ACCEPTED`, `UTF-8`…) share a static string.
    pub value: Str,
    /// True when it was written in double quotes.
    pub quoted: bool,
}

impl PartialEq for ParamValue {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl ParamValue {
    /// An unquoted value.
    pub fn new(value: impl Into<Str>) -> Self {
        ParamValue {
            value: value.into(),
            quoted: false,
        }
    }
    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A parameter: its values in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Param {
    /// The values in order (one is stored inline).
    pub values: SmallVec<[ParamValue; 1]>,
    /// True when written vCard 2.1 style, without a name (`TEL;WORK;VOICE:`):
    /// the values are then the bare tokens.
    pub bare: bool,
}

impl Param {
    /// The first value.
    pub fn first(&self) -> Option<&str> {
        self.values.first().map(ParamValue::as_str)
    }
    /// Iterates the values.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(ParamValue::as_str)
    }
    /// True when any value equals `s` ignoring ASCII case. Values that
    /// themselves hold comma lists (`TYPE="work,voice"`, RFC 6350's own
    /// example) are looked into.
    pub fn has(&self, s: &str) -> bool {
        self.iter().any(|v| {
            v.eq_ignore_ascii_case(s) || v.split(',').any(|p| p.trim().eq_ignore_ascii_case(s))
        })
    }
}

/// The parameters of a property, in their original order. Names are
/// case-insensitive; repeated names (`TYPE=a;TYPE=b`) merge into one entry.
#[derive(Debug, Clone, Default)]
pub struct Params {
    store: Store,
}

/// How a parameter map is held. Most properties have a handful of
/// parameters: a plain vector, searched in order, costs one allocation and
/// no hashing, and keeps [`Property`] small. A map that grows past
/// [`SCAN_PARAMS`] names moves into a hashed map, so that maps of many
/// names (built through the API, or parsed with a raised
/// `Limits::max_params`) stay linear.
#[derive(Debug, Clone)]
enum Store {
    Small(Vec<(Key, Param)>),
    Large(Box<KeyMap>),
}

/// Position of `name` (any case) in a small map.
fn small_index(v: &[(Key, Param)], name: &str) -> Option<usize> {
    v.iter().position(|(k, _)| k.0.eq_ignore_ascii_case(name))
}

impl Default for Store {
    fn default() -> Self {
        Store::Small(Vec::new())
    }
}

/// The entries of either kind of map, in order.
enum Iter<'a> {
    Small(std::slice::Iter<'a, (Key, Param)>),
    Large(indexmap::map::Iter<'a, Key, Param>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Param);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next().map(|(k, p)| (k.0.as_str(), p)),
            Iter::Large(it) => it.next().map(|(k, p)| (k.0.as_str(), p)),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(it) => it.size_hint(),
            Iter::Large(it) => it.size_hint(),
        }
    }
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((an, av), (bn, bv))| an == bn && av == bv)
    }
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Params::default()
    }
    /// Number of distinct parameter names.
    pub fn len(&self) -> usize {
        match &self.store {
            Store::Small(v) => v.len(),
            Store::Large(m) => m.len(),
        }
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The parameter named `name` (any case).
    pub fn get(&self, name: &str) -> Option<&Param> {
        match &self.store {
            Store::Small(v) => small_index(v, name).and_then(|i| v.get(i)).map(|(_, p)| p),
            Store::Large(m) => m.get(&KeyRef(name)),
        }
    }
    /// Mutable access to a parameter.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Param> {
        match &mut self.store {
            Store::Small(v) => small_index(v, name)
                .and_then(|i| v.get_mut(i))
                .map(|(_, p)| p),
            Store::Large(m) => m.get_mut(&KeyRef(name)),
        }
    }
    /// The first value of `name`.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Param::first)
    }
    /// True when the parameter exists.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    /// Iterates (uppercase name, parameter) in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        match &self.store {
            Store::Small(v) => Iter::Small(v.iter()),
            Store::Large(m) => Iter::Large(m.iter()),
        }
    }
    /// Sets `name` to a single unquoted value, replacing what was there
    /// (keeping its position).
    pub fn set(&mut self, name: &str, value: impl Into<Str>) {
        let p = Param {
            values: smallvec::smallvec![ParamValue::new(value)],
            bare: false,
        };
        self.insert(name, p);
    }
    /// Inserts a parameter, replacing one of the same name in place.
    pub fn insert(&mut self, name: &str, param: Param) {
        if let Some(slot) = self.get_mut(name) {
            *slot = param;
        } else {
            self.push_new(Key(Name::new(name)), param);
        }
    }
    /// Appends values to `name`, creating it at the end if needed.
    pub fn append(&mut self, name: &str, values: impl IntoIterator<Item = ParamValue>, bare: bool) {
        match self.get_mut(name) {
            Some(p) => p.values.extend(values),
            None => self.push_new(
                Key(Name::new(name)),
                Param {
                    values: values.into_iter().collect(),
                    bare,
                },
            ),
        }
    }
    /// Appends values under an already built (uppercase) name.
    pub(crate) fn append_named(
        &mut self,
        name: Name,
        values: SmallVec<[ParamValue; 1]>,
        bare: bool,
    ) {
        match self.get_mut(name.as_str()) {
            Some(p) => p.values.extend(values),
            None => self.push_new(Key(name), Param { values, bare }),
        }
    }

    /// Adds a parameter whose name is not in the map yet, moving a small
    /// map that outgrows [`SCAN_PARAMS`] into a hashed one.
    fn push_new(&mut self, key: Key, param: Param) {
        match &mut self.store {
            Store::Small(v) if v.len() < SCAN_PARAMS => v.push((key, param)),
            Store::Small(v) => {
                let mut m = KeyMap::with_capacity_and_hasher(
                    v.len().saturating_mul(2),
                    BuildHasherDefault::default(),
                );
                m.extend(v.drain(..));
                m.insert(key, param);
                self.store = Store::Large(Box::new(m));
            }
            Store::Large(m) => {
                m.insert(key, param);
            }
        }
    }

    /// Empty parameters with room for `n`.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Params {
            store: Store::Small(Vec::with_capacity(n.min(SCAN_PARAMS))),
        }
    }

    /// Removes a parameter, keeping the order of the others.
    pub fn remove(&mut self, name: &str) -> Option<Param> {
        match &mut self.store {
            Store::Small(v) => {
                let i = small_index(v, name)?;
                Some(v.remove(i).1)
            }
            Store::Large(m) => m.shift_remove(&KeyRef(name)),
        }
    }
}

/// One property: name, parameters and typed values.
///
/// A parsed property remembers its source bytes; the writer reproduces them
/// exactly until the property is changed through a `&mut` method.
#[derive(Debug, Clone)]
pub struct Property {
    pub(crate) name: Name,
    pub(crate) group: Option<Box<str>>,
    pub(crate) params: Params,
    pub(crate) value_type: ValueType,
    pub(crate) values: Values,
    pub(crate) raw: Option<Raw>,
    pub(crate) line: u32,
}

impl PartialEq for Property {
    /// Compares name, group, parameters, type and values; source bytes and
    /// positions are ignored.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.group.as_deref().map(str::to_ascii_lowercase)
                == other.group.as_deref().map(str::to_ascii_lowercase)
            && self.params == other.params
            && self.value_type == other.value_type
            && self.values == other.values
    }
}

impl Property {
    /// A new property with one value. The name is stored in uppercase.
    pub fn new(name: &str, value_type: ValueType, value: Value) -> Self {
        Property {
            name: Name::new(name),
            group: None,
            params: Params::new(),
            value_type,
            values: Values::One(value),
            raw: None,
            line: 0,
        }
    }
    /// A new TEXT property.
    pub fn text(name: &str, value: impl Into<Str>) -> Self {
        Property::new(name, ValueType::Text, Value::Text(value.into()))
    }
    /// The name, uppercase.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// True when the name equals `name` ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
    /// The group (`item1` of `item1.TEL`).
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.first(name)
    }
    /// The value type in effect (from `VALUE=`, the property's default, or
    /// detected leniently).
    pub fn value_type(&self) -> &ValueType {
        &self.value_type
    }
    /// The values.
    pub fn values(&self) -> &Values {
        &self.values
    }
    /// The first value.
    pub fn value(&self) -> Option<&Value> {
        self.values.first()
    }
    /// The first value as text, for TEXT-like values (TEXT, URI,
    /// CAL-ADDRESS, unknown and invalid values as written).
    pub fn as_text(&self) -> Option<&str> {
        self.value().and_then(Value::as_str)
    }
    /// 1-based source line, 0 for a property built in code.
    pub fn line(&self) -> u32 {
        self.line
    }
    /// Sets the line diagnostics name for a property built in code from
    /// input (an RRULE made of a vCalendar rule takes that rule's line).
    pub fn set_line(&mut self, line: u32) {
        self.line = line;
    }
    /// The exact source bytes when the property is unmodified.
    pub fn source(&self) -> Option<&[u8]> {
        self.raw.as_ref().map(Raw::bytes)
    }
    /// Mutable parameters; forgets the source bytes.
    pub fn params_mut(&mut self) -> &mut Params {
        self.raw = None;
        &mut self.params
    }
    /// Mutable values; forgets the source bytes.
    pub fn values_mut(&mut self) -> &mut Values {
        self.raw = None;
        &mut self.values
    }
    /// Replaces the values and their type; forgets the source bytes.
    pub fn set_values(&mut self, value_type: ValueType, values: impl Into<Values>) {
        self.raw = None;
        self.value_type = value_type;
        self.values = values.into();
    }
    /// Sets the group; forgets the source bytes.
    pub fn set_group(&mut self, group: Option<&str>) {
        self.raw = None;
        self.group = group.map(Into::into);
    }
    /// Forgets the source bytes, so that the writer serialises the typed
    /// values (used by normalisation).
    pub fn forget_source(&mut self) {
        self.raw = None;
    }
}

/// A component: `BEGIN:NAME` … `END:NAME` with properties and children.
#[derive(Debug, Clone)]
pub struct Component {
    pub(crate) name: Name,
    /// The properties, in source order.
    pub properties: Vec<Property>,
    /// The sub-components, in source order.
    pub components: Vec<Component>,
    pub(crate) dialect: Dialect,
    pub(crate) line: u32,
    pub(crate) begin_raw: Option<Raw>,
    pub(crate) end_raw: Option<Raw>,
    /// How many of the parent's properties came before this component in
    /// the source (for faithful interleaving); `usize::MAX` = after all.
    pub(crate) after_properties: usize,
}

impl PartialEq for Component {
    /// Compares names, dialects, properties and children; source bytes and
    /// positions are ignored.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.dialect == other.dialect
            && self.properties == other.properties
            && self.components == other.components
    }
}

impl Component {
    /// An empty component named `name` (stored uppercase).
    pub fn new(name: &str, dialect: Dialect) -> Self {
        Component::named(Name::new(name), dialect)
    }
    /// A new empty component with an already built name.
    pub(crate) fn named(name: Name, dialect: Dialect) -> Self {
        Component {
            name,
            properties: Vec::new(),
            components: Vec::new(),
            dialect,
            line: 0,
            begin_raw: None,
            end_raw: None,
            after_properties: usize::MAX,
        }
    }
    /// The name, uppercase.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// True when the name equals `name` ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
    /// The dialect this component was read (or is to be written) in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
    /// Sets the dialect of this component and all its descendants.
    pub fn set_dialect(&mut self, d: Dialect) {
        let mut stack = vec![self];
        while let Some(c) = stack.pop() {
            c.dialect = d;
            stack.extend(c.components.iter_mut());
        }
    }
    /// 1-based line of the BEGIN line, 0 for a component built in code.
    pub fn line(&self) -> u32 {
        self.line
    }
    /// Sets the line diagnostics name for a component built in code from
    /// input (a VALARM made of a vCalendar AALARM line takes that line's).
    pub fn set_line(&mut self, line: u32) {
        self.line = line;
    }
    /// The first property named `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.is(name))
    }
    /// Mutable access to the first property named `name`.
    pub fn property_mut(&mut self, name: &str) -> Option<&mut Property> {
        self.properties.iter_mut().find(|p| p.is(name))
    }
    /// All properties named `name`.
    pub fn properties_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties.iter().filter(move |p| p.is(name))
    }
    /// The text of the first property named `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.property(name).and_then(Property::as_text)
    }
    /// Children named `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Component> + 'a {
        self.components.iter().filter(move |c| c.is(name))
    }
    /// Adds a property at the end.
    pub fn push(&mut self, p: Property) {
        self.properties.push(p);
    }
    /// Forgets all source bytes in this subtree, so that the writer
    /// serialises everything from the typed model.
    pub fn forget_source(&mut self) {
        let mut stack = vec![self];
        while let Some(c) = stack.pop() {
            c.begin_raw = None;
            c.end_raw = None;
            for p in &mut c.properties {
                p.raw = None;
            }
            stack.extend(c.components.iter_mut());
        }
    }
    /// Visits this component and all descendants, depth first.
    pub fn walk(&self, f: &mut dyn FnMut(&Component)) {
        let mut stack = vec![self];
        while let Some(c) = stack.pop() {
            f(c);
            stack.extend(c.components.iter().rev());
        }
    }
}

/// A parsed file: its top-level objects (usually one VCALENDAR, or one or
/// more VCARDs).
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The top-level components, in source order.
    pub components: Vec<Component>,
    pub(crate) leading: Option<Raw>,
    pub(crate) bom: bool,
}

impl PartialEq for Document {
    fn eq(&self, other: &Self) -> bool {
        self.components == other.components
    }
}

impl Document {
    /// A document with the given top-level components.
    pub fn new(components: Vec<Component>) -> Self {
        Document {
            components,
            leading: None,
            bom: false,
        }
    }
    /// True when the source started with a UTF-8 byte order mark.
    pub fn had_bom(&self) -> bool {
        self.bom
    }
    /// Forgets all source bytes (see [`Component::forget_source`]).
    pub fn forget_source(&mut self) {
        self.leading = None;
        self.bom = false;
        for c in &mut self.components {
            c.forget_source();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_nodes_stay_compact() {
        // The tree of a whole-input parse is a few times the input's size;
        // these sizes are what keeps it there (see docs/benchmarks.md).
        assert!(std::mem::size_of::<Property>() <= 152);
        assert!(std::mem::size_of::<Option<Raw>>() <= 16);
        assert!(std::mem::size_of::<Params>() <= 24);
    }

    #[test]
    fn source_ranges_beyond_u32_fall_back_to_copies() {
        let src = Source::from_slice(b"SUMMARY:x\r\n");
        let r = Raw::range(&src, 0, 9);
        assert_eq!(r.bytes(), b"SUMMARY:x");
        assert!(r.is_shared());
        // Offsets that do not fit in 32 bits give an owned copy (here of
        // nothing, as the source is short), never a panic.
        let far = Raw::range(&src, 1 << 33, (1 << 33) + 4);
        assert!(!far.is_shared());
        assert!(far.bytes().is_empty());
        let mut grown = Raw::range(&src, 0, 7);
        grown.extend(9, b"");
        assert_eq!(grown.bytes(), b"SUMMARY:x");
        // A copy grows by appending, and a clone of it keeps its own bytes.
        let mut copy = Raw::owned(b"BEGIN:X\r\n");
        let before = copy.clone();
        copy.extend(0, b"END:X\r\n");
        assert_eq!(copy.bytes(), b"BEGIN:X\r\nEND:X\r\n");
        assert_eq!(before.bytes(), b"BEGIN:X\r\n");
        assert!(!copy.is_shared());
    }

    #[test]
    fn params_are_case_insensitive_and_ordered() {
        let mut p = Params::new();
        p.set("cn", "Foo");
        p.append("TYPE", [ParamValue::new("work")], false);
        p.append("type", [ParamValue::new("voice")], false);
        assert_eq!(p.first("CN"), Some("Foo"));
        assert_eq!(p.get("Type").unwrap().values.len(), 2);
        let names: Vec<_> = p.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["CN", "TYPE"]);
        p.set("CN", "Bar");
        let names: Vec<_> = p.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["CN", "TYPE"]);
        assert!(p.get("type").unwrap().has("VOICE"));
        p.remove("cn");
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn params_are_found_in_any_case_in_small_and_large_maps() {
        // Up to SCAN_PARAMS names are searched in order, more are hashed:
        // both must find every name in any case, and miss absent ones.
        for n in [1, SCAN_PARAMS - 1, SCAN_PARAMS, SCAN_PARAMS + 1, 40] {
            let mut p = Params::new();
            for i in 0..n {
                p.set(&format!("x-p{i}"), format!("v{i}"));
            }
            assert_eq!(p.len(), n);
            for i in 0..n {
                assert_eq!(p.first(&format!("X-P{i}")), Some(format!("v{i}").as_str()));
                assert!(p.contains(&format!("x-P{i}")));
            }
            assert!(!p.contains("X-P"));
            assert!(p.get(&format!("X-P{n}")).is_none());
            // Replacing keeps the position, in both kinds of map.
            p.set("X-P0", "new");
            assert_eq!(
                p.iter().next().map(|(k, v)| (k, v.first())),
                Some(("X-P0", Some("new")))
            );
            p.append("x-p0", [ParamValue::new("more")], false);
            assert_eq!(p.get("X-P0").map(|v| v.values.len()), Some(2));
            assert_eq!(p.len(), n);
            // A map moves to hashing only past SCAN_PARAMS names, and the
            // move keeps the order.
            assert_eq!(matches!(p.store, Store::Large(_)), n > SCAN_PARAMS, "{n}");
            let names: Vec<String> = p.iter().map(|(k, _)| k.to_owned()).collect();
            let want: Vec<String> = (0..n).map(|i| format!("X-P{i}")).collect();
            assert_eq!(names, want);
            // Removing from the middle keeps the others in order.
            let mid = n / 2;
            assert!(p.remove(&format!("x-p{mid}")).is_some());
            assert!(p.remove(&format!("x-p{mid}")).is_none());
            let names: Vec<String> = p.iter().map(|(k, _)| k.to_owned()).collect();
            let want: Vec<String> = (0..n)
                .filter(|&i| i != mid)
                .map(|i| format!("X-P{i}"))
                .collect();
            assert_eq!(names, want);
            assert_eq!(p.iter().size_hint(), (n - 1, Some(n - 1)));
        }
    }

    #[test]
    fn params_behave_like_an_ordered_case_insensitive_map_under_random_edits() {
        // A reference model (a list of uppercase names with their values)
        // and `Params` get the same random edits, on names drawn from a
        // pool larger than SCAN_PARAMS in mixed case, so that maps move
        // past the bound and are edited there; after each edit they must
        // agree entirely, and equal a map rebuilt from the model (held in
        // the other form when the counts fall back under the bound).
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let names = |i: u64, lower: bool| {
            let n = format!("X-N{i}");
            if lower { n.to_ascii_lowercase() } else { n }
        };
        for _round in 0..40 {
            let mut p = Params::new();
            let mut model: Vec<(String, Vec<String>)> = Vec::new();
            for step in 0..200 {
                let name = names(next(14), next(2) == 0);
                let up = name.to_ascii_uppercase();
                let at = model.iter().position(|(k, _)| *k == up);
                let value = format!("v{step}");
                match next(4) {
                    0 => {
                        p.set(&name, value.clone());
                        match at {
                            Some(i) => model[i].1 = vec![value],
                            None => model.push((up, vec![value])),
                        }
                    }
                    1 => {
                        p.append(&name, [ParamValue::new(value.clone())], false);
                        match at {
                            Some(i) => model[i].1.push(value),
                            None => model.push((up, vec![value])),
                        }
                    }
                    2 => {
                        let removed = p
                            .remove(&name)
                            .map(|r| r.iter().map(str::to_owned).collect::<Vec<_>>());
                        assert_eq!(removed, at.map(|i| model.remove(i).1));
                    }
                    _ => {
                        let got = p.get(&name).map(|r| r.iter().collect::<Vec<_>>());
                        let want = at.map(|i| model[i].1.iter().map(String::as_str).collect());
                        assert_eq!(got, want);
                    }
                }
                let got: Vec<(String, Vec<String>)> = p
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.iter().map(str::to_owned).collect()))
                    .collect();
                assert_eq!(got, model, "step {step}");
                assert_eq!(p.len(), model.len());
                assert_eq!(p.is_empty(), model.is_empty());
                // Equality does not depend on how the map is held.
                let mut rebuilt = Params::new();
                for (k, v) in &model {
                    rebuilt.append(k, v.iter().map(|x| ParamValue::new(x.clone())), false);
                }
                assert_eq!(rebuilt, p);
            }
        }
    }

    #[test]
    fn repeated_parameters_merge_on_both_sides_of_the_scan_bound() {
        // The parser appends each parameter by name: a name met again
        // after the map has moved to hashing joins its first entry.
        for n in [2, SCAN_PARAMS, SCAN_PARAMS + 1, 30] {
            let mut line = String::from("X-T");
            for i in 0..n {
                line.push_str(&format!(";X-P{i}=a{i}"));
            }
            line.push_str(";x-p0=b;X-P1=c:v\r\n");
            let doc = crate::Parser::new().parse(
                format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{line}END:VCALENDAR\r\n").as_bytes(),
            );
            let prop = doc.document.components[0].property("X-T").unwrap();
            assert_eq!(prop.params().len(), n, "{n}");
            let first: Vec<&str> = prop.params().get("X-P0").unwrap().iter().collect();
            assert_eq!(first, ["a0", "b"]);
            let second: Vec<&str> = prop.params().get("x-p1").unwrap().iter().collect();
            assert_eq!(second, ["a1", "c"]);
            assert_eq!(
                prop.params().iter().nth(n - 1).map(|(k, _)| k.to_owned()),
                Some(format!("X-P{}", n - 1))
            );
        }
    }

    #[test]
    fn param_has_looks_into_quoted_lists() {
        let p = Param {
            values: smallvec::smallvec![ParamValue {
                value: "work,voice".into(),
                quoted: true,
            }],
            bare: false,
        };
        assert!(p.has("voice"));
        assert!(!p.has("home"));
    }
}
