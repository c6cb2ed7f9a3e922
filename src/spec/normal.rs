//! The last pass over the OpenAPI document before it is committed and served, for code
//! generators: each model once, by reference (utoipa inlines a generic type's arguments and
//! flattened fields, so a page or a wrapper carries a copy of its item's schema; a copy equal to a
//! component becomes a `$ref` to it), free-form objects stated as such (`additionalProperties:
//! true`, which TypeScript generators read as `Record<string, unknown>` rather than
//! `Record<string, never>`) and extensions in name order (utoipa keeps them in a hash map).

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The document's JSON text as committed: the passes above, pretty-printed, with a final newline.
pub fn normalise(json: &str) -> serde_json::Result<String> {
    let mut doc: Ordered = serde_json::from_str(json)?;
    doc.by_reference();
    doc.visit(&mut |members| {
        free_form(members);
        sort_extensions(members);
    });
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

/// JSON with the order of object members kept as read (`serde_json::Value` sorts them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Ordered {
    Map(IndexMap<String, Ordered>),
    List(Vec<Ordered>),
    Scalar(Value),
}

impl Ordered {
    /// The same JSON as a `Value` (for comparing schemas whatever their member order).
    fn value(&self) -> Value {
        match self {
            Self::Map(members) => Value::Object(members.iter().map(|(k, v)| (k.clone(), v.value())).collect()),
            Self::List(items) => Value::Array(items.iter().map(Self::value).collect()),
            Self::Scalar(v) => v.clone(),
        }
    }

    /// Calls `f` on every object, outermost first.
    fn visit(&mut self, f: &mut impl FnMut(&mut IndexMap<String, Ordered>)) {
        match self {
            Self::Map(members) => {
                f(members);
                members.values_mut().for_each(|v| v.visit(f));
            }
            Self::List(items) => items.iter_mut().for_each(|v| v.visit(f)),
            Self::Scalar(_) => {}
        }
    }

    /// Replaces every copy of a component schema (outside that component itself) by a `$ref`,
    /// until none is left: a copy may hold copies itself, and only matches its component once
    /// those are references.
    fn by_reference(&mut self) {
        for _ in 0..8 {
            let before = self.value();
            self.by_reference_once();
            if self.value() == before {
                break;
            }
        }
    }

    /// One pass of [`Self::by_reference`]. A component named by a generic type's bare name (utoipa
    /// registers e.g. `Shown` beside `Shown_Supply` and `Shown_Demand`, with the value of whichever
    /// came last) is dropped when a component `{name}_…` has the same schema, and references to it
    /// point there instead.
    fn by_reference_once(&mut self) {
        let Self::Map(root) = self else { return };
        let Some(Self::Map(components)) = root.get_mut("components") else { return };
        let Some(Self::Map(schemas)) = components.get_mut("schemas") else { return };
        let mut named: HashMap<String, String> = HashMap::new();
        for (name, schema) in schemas.iter() {
            if matches!(schema, Self::Map(m) if !m.contains_key("$ref")) {
                let key = schema.value().to_string();
                match named.get(&key) {
                    Some(first) if !name.starts_with(&format!("{first}_")) => {}
                    _ => {
                        named.insert(key, name.clone());
                    }
                }
            }
        }
        let bare: HashMap<String, String> = schemas
            .iter()
            .filter_map(|(name, schema)| {
                let to = named.get(&schema.value().to_string())?;
                to.starts_with(&format!("{name}_")).then(|| (format!("#/components/schemas/{name}"), to.clone()))
            })
            .collect();
        schemas.retain(|name, _| !bare.contains_key(&format!("#/components/schemas/{name}")));
        for (name, schema) in schemas.iter_mut() {
            schema.replace_copies(&named, Some(name));
        }
        if let Some(Self::Map(paths)) = root.get_mut("paths") {
            paths.values_mut().for_each(|p| p.replace_copies(&named, None));
        }
        if !bare.is_empty() {
            self.visit(&mut |members| {
                if let Some(Self::Scalar(Value::String(target))) = members.get_mut("$ref") {
                    if let Some(to) = bare.get(target.as_str()) {
                        *target = format!("#/components/schemas/{to}");
                    }
                }
            });
        }
    }

    fn replace_copies(&mut self, named: &HashMap<String, String>, this: Option<&str>) {
        if this.is_none() {
            if let Self::Map(_) = self {
                if let Some(name) = named.get(&self.value().to_string()) {
                    let reference = Value::String(format!("#/components/schemas/{name}"));
                    *self = Self::Map(IndexMap::from([("$ref".to_owned(), Self::Scalar(reference))]));
                    return;
                }
            }
        }
        match self {
            Self::Map(members) => members.values_mut().for_each(|v| v.replace_copies(named, None)),
            Self::List(items) => items.iter_mut().for_each(|v| v.replace_copies(named, None)),
            Self::Scalar(_) => {}
        }
    }
}

/// `additionalProperties: true` on an object schema that lists no properties.
fn free_form(members: &mut IndexMap<String, Ordered>) {
    let is_object = match members.get("type") {
        Some(Ordered::Scalar(Value::String(t))) => t == "object",
        Some(Ordered::List(types)) => {
            types.iter().any(|t| matches!(t, Ordered::Scalar(Value::String(s)) if s == "object"))
        }
        _ => false,
    };
    let described = ["properties", "additionalProperties", "allOf", "oneOf", "anyOf", "$ref"];
    if is_object && !described.iter().any(|k| members.contains_key(*k)) {
        members.insert("additionalProperties".into(), Ordered::Scalar(Value::Bool(true)));
    }
}

/// The `x-` members after the others, in name order.
fn sort_extensions(members: &mut IndexMap<String, Ordered>) {
    members.sort_by(|a, _, b, _| {
        let (ax, bx) = (a.starts_with("x-"), b.starts_with("x-"));
        ax.cmp(&bx).then_with(|| if ax && bx { a.cmp(b) } else { std::cmp::Ordering::Equal })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_become_references_and_empty_objects_free_form() {
        let doc = r#"{"paths": {"/a": {"get": {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}},
            "components": {"schemas": {
                "Item": {"properties": {"id": {"type": "string"}}, "type": "object"},
                "Page": {"type": "object", "properties": {"items": {"type": "array",
                    "items": {"type": "object", "properties": {"id": {"type": "string"}}}},
                    "extra": {"type": "object"}}, "x-b": 1, "x-a": 2}}}}"#;
        let out: Value = serde_json::from_str(&normalise(doc).unwrap()).unwrap();
        let item_ref = serde_json::json!({"$ref": "#/components/schemas/Item"});
        assert_eq!(out["paths"]["/a"]["get"]["schema"], item_ref);
        assert_eq!(out["components"]["schemas"]["Page"]["properties"]["items"]["items"], item_ref);
        assert_eq!(out["components"]["schemas"]["Item"]["properties"]["id"]["type"], "string", "not a ref to itself");
        assert_eq!(out["components"]["schemas"]["Page"]["properties"]["extra"]["additionalProperties"], true);
        let text = normalise(doc).unwrap();
        assert!(text.find("\"x-a\"").unwrap() < text.find("\"x-b\"").unwrap());
    }
}
