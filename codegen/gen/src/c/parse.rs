//! `<prefix>_parse` and one parser per form: the checks of `device!`'s `parse`, in its order.

use std::fmt::Write;

use atspec_spec::model::{ParamType, Presence};

use super::text::{int32, literal, member};
use super::{Names, forms};
use crate::ir::{FormIr, Ir, ParamIr};

/// `atspec_parse` and the form parsers.
pub fn generate(ir: &Ir, n: &Names) -> String {
    let mut c = String::new();
    for (_, f) in forms(ir).iter().filter(|(_, f)| f.has_fields()) {
        c.push_str(&form_parser(n, f));
    }
    c.push_str(&lookup(ir, n));
    c.push_str(&entry(ir, n));
    c
}

/// The command whose wire name (the bytes after `AT`) this is, ignoring letter case.
fn lookup(ir: &Ir, n: &Names) -> String {
    let mut c = format!(
        "/* The command named by `name` (the bytes after AT), ignoring case; {up}_NAME_COUNT: none. */\n\
         static {p}_name lookup(const uint8_t *name, size_t len)\n{{\n",
        p = n.p,
        up = n.up
    );
    for cmd in &ir.commands {
        let w = cmd.wire.as_bytes();
        let _ = writeln!(
            c,
            "    if (len == {} && ascii_ieq(name, {}, {})) return {};",
            w.len(),
            literal(w),
            w.len(),
            n.name(cmd)
        );
    }
    let _ = writeln!(c, "    return {}_NAME_COUNT;\n}}\n", n.up);
    c
}

/// `atspec_parse`: line length and AT, name, form, then the form's parser.
fn entry(ir: &Ir, n: &Names) -> String {
    let (p, up) = (&n.p, &n.up);
    let mut c = format!(
        r#"static bool parse_line(const uint8_t *line, size_t len, scratch *s, {p}_command *cmd, {p}_rejection *r)
{{
    const uint8_t *rest, *tail;
    size_t rest_len, end, tail_len, params_len = 0;
    {p}_form form;
    {p}_name name;
    if (len > LINE_MAX || len < 2 || !ascii_ieq(line, "AT", 2)) return reject(r, {up}_REJECT_BAD_LINE, 0);
    rest = line + 2;
    rest_len = len - 2;
    end = (rest_len > 0 && rest[0] == '+') ? 1u : 0u;
    while (end < rest_len && is_name_byte(rest[end])) end++;
    tail = rest + end;
    tail_len = rest_len - end;
    if (tail_len == 0) {{
        form = {up}_FORM_EXECUTE;
    }} else if (tail[0] == '?') {{
        if (tail_len != 1) return reject(r, {up}_REJECT_UNKNOWN_COMMAND, 0);
        form = {up}_FORM_QUERY;
    }} else if (tail[0] == '=') {{
        if (tail_len >= 2 && tail[1] == '?') {{
            if (tail_len != 2) return reject(r, {up}_REJECT_UNKNOWN_COMMAND, 0);
            form = {up}_FORM_TEST;
        }} else {{
            form = {up}_FORM_SET;
            params_len = tail_len - 1;
        }}
    }} else {{
        return reject(r, {up}_REJECT_UNKNOWN_COMMAND, 0);
    }}
    name = lookup(rest, end);
    if (name == {up}_NAME_COUNT) return reject(r, {up}_REJECT_UNKNOWN_COMMAND, 0);
"#
    );
    let fs = forms(ir);
    if fs.iter().any(|(_, f)| f.has_fields()) {
        c.push_str("    {\n        fields f;\n");
        for (cmd, f) in &fs {
            let _ = writeln!(
                c,
                "        if (name == {} && form == {}_FORM_{}) {{",
                n.name(cmd),
                up,
                f.kind.as_str().to_ascii_uppercase()
            );
            let _ = writeln!(c, "            cmd->kind = {};", n.kind(f));
            if f.has_fields() {
                let _ = writeln!(
                    c,
                    "            if (!split(tail + 1, params_len, &f)) return reject(r, {up}_REJECT_TOO_MANY_PARAMS, 0);\n            \
                     return parse_{m}(&f, s, &cmd->as.{m}, r);",
                    m = n.form_member(f)
                );
            } else {
                c.push_str("            return true;\n");
            }
            c.push_str("        }\n");
        }
        c.push_str("    }\n");
    } else {
        c.push_str("    (void)params_len;\n    (void)s;\n");
    }
    let _ = write!(
        c,
        "    return reject(r, {up}_REJECT_MISSING_FORM, 0);\n}}\n\n\
         bool {p}_parse(const uint8_t *line, size_t len, uint8_t *scratch_buf, size_t scratch_len,\n    \
         {p}_command *cmd, {p}_rejection *rejection)\n{{\n    \
         scratch s;\n    {p}_rejection unused;\n    \
         s.buf = scratch_buf;\n    s.cap = scratch_buf != NULL ? scratch_len : 0u;\n    s.used = 0;\n    \
         if (line == NULL) len = 0;\n    \
         return parse_line(line, len, &s, cmd, rejection != NULL ? rejection : &unused);\n}}\n\n"
    );
    c
}

fn presence(p: Presence) -> &'static str {
    match p {
        Presence::Required => "REQUIRED",
        Presence::Positional => "POSITIONAL",
        Presence::Optional => "OPTIONAL",
        Presence::Trailing => "TRAILING",
    }
}

/// Integer parameters whose values later parameters depend on (`only_if`, a count).
fn controls(f: &FormIr) -> Vec<usize> {
    let mut v: Vec<usize> = f
        .params
        .iter()
        .filter_map(|p| p.only_if.as_ref().map(|o| o.0))
        .collect();
    v.extend(f.variadic.as_ref().and_then(|va| va.count_param));
    v.sort_unstable();
    v.dedup();
    v
}

/// One form's parser: each parameter in turn, then the repeated one, then no extra fields.
fn form_parser(n: &Names, f: &FormIr) -> String {
    let (p, up) = (&n.p, &n.up);
    let m = n.form_member(f);
    let mut c = format!(
        "static bool parse_{m}(const fields *f, scratch *s, {ty} *out, {p}_rejection *r)\n{{\n    size_t at = 0;\n",
        ty = n.form_type(f)
    );
    let ctl = controls(f);
    for i in &ctl {
        let _ = writeln!(c, "    bool raw_has_{i} = false;\n    int32_t raw_{i} = 0;");
    }
    if !f.params.iter().any(|p| p.ty == ParamType::String) && f.variadic.is_none() {
        c.push_str("    (void)s;\n");
    }
    for (i, prm) in f.params.iter().enumerate() {
        let step = param_step(n, prm, i, ctl.contains(&i));
        match &prm.only_if {
            Some((ctl_i, values)) => {
                let test = values
                    .iter()
                    .map(|v| format!("raw_{ctl_i} == {}", int32(*v)))
                    .collect::<Vec<_>>()
                    .join(" || ");
                let _ = write!(
                    c,
                    "    if (raw_has_{ctl_i} && ({test})) {{\n{}    }} else {{\n        out->has_{} = false;\n    }}\n",
                    indent(&step),
                    member(&prm.name)
                );
            }
            None => c.push_str(&step),
        }
    }
    if let Some(va) = &f.variadic {
        let list = member(&va.field.to_string());
        let check = if va.must_contain.is_empty() {
            String::new()
        } else {
            format!(
                "if (!contains(v, {}, {})) return reject(r, {up}_REJECT_INVALID_PARAM, at);\n            ",
                literal(&va.must_contain),
                va.must_contain.len()
            )
        };
        let take = format!(
            "{{\n            {p}_bytes v;\n            bool has;\n            \
             if (!take_str(f, at, REQUIRED, s, &v, &has, r)) return false;\n            \
             if (!has) return reject(r, {up}_REJECT_INVALID_PARAM, at);\n            {check}\
             if (out->{list}.len < {up}_LIST_MAX) out->{list}.items[out->{list}.len++] = v;\n            at++;\n        }}"
        );
        let _ = writeln!(c, "    out->{list}.len = 0;");
        match va.count_param {
            Some(ci) => {
                let _ = writeln!(
                    c,
                    "    {{\n        int32_t k, count = raw_has_{ci} && raw_{ci} > 0 ? raw_{ci} : 0;\n        \
                     for (k = 0; k < count; k++) {take}\n    }}"
                );
            }
            None => {
                let _ = writeln!(c, "    while (at < f->len) {take}");
            }
        }
    }
    let _ = write!(
        c,
        "    if (f->len > at) return reject(r, {up}_REJECT_PARAM_COUNT, f->len);\n    return true;\n}}\n\n"
    );
    c
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

/// Reads parameter `i` into `out`, rejecting as `device!`'s parser does; `at` moves on.
fn param_step(n: &Names, prm: &ParamIr, i: usize, control: bool) -> String {
    let up = &n.up;
    let name = member(&prm.name);
    let pres = presence(prm.presence);
    let invalid = format!("return reject(r, {up}_REJECT_INVALID_PARAM, at);");
    let mut c = format!("    {{ /* {name} */\n");
    match prm.ty {
        ParamType::Int => {
            let _ = write!(
                c,
                "        int32_t v = 0;\n        bool has;\n        if (!take_int(f, at, {pres}, &v, &has, r)) return false;\n"
            );
            if let Some((lo, hi)) = prm.bounds {
                let mut ok = format!("(v >= {} && v <= {})", int32(lo), int32(hi));
                for s in &prm.special {
                    let _ = write!(ok, " || v == {}", int32(*s));
                }
                let _ = writeln!(c, "        if (has && !({ok})) {invalid}");
            }
            if control {
                let _ = writeln!(c, "        raw_has_{i} = has;\n        raw_{i} = v;");
            }
            if let Some(e) = prm.enumeration.as_ref().filter(|e| !e.open) {
                let named = e
                    .variants
                    .iter()
                    .map(|(_, v, _)| format!("v == {}", int32(*v)))
                    .collect::<Vec<_>>()
                    .join(" || ");
                let _ = writeln!(c, "        if (has && !({named})) {invalid}");
            }
            if !prm.optional() {
                let _ = writeln!(c, "        if (!has) {invalid}");
            } else {
                let _ = writeln!(c, "        out->has_{name} = has;");
            }
            let _ = writeln!(c, "        out->{name} = ({})v;", n.value_type(prm));
        }
        ParamType::String => {
            let _ = write!(
                c,
                "        {p}_bytes v;\n        bool has;\n        v.ptr = NULL;\n        v.len = 0;\n        \
                 if (!take_str(f, at, {pres}, s, &v, &has, r)) return false;\n",
                p = n.p
            );
            if !prm.must_contain.is_empty() {
                let _ = writeln!(
                    c,
                    "        if (has && !contains(v, {}, {})) {invalid}",
                    literal(&prm.must_contain),
                    prm.must_contain.len()
                );
            }
            if !prm.optional() {
                let _ = writeln!(c, "        if (!has) {invalid}");
            } else {
                let _ = writeln!(c, "        out->has_{name} = has;");
            }
            let _ = writeln!(c, "        out->{name} = v;");
        }
    }
    c.push_str("        at++;\n    }\n");
    c
}
