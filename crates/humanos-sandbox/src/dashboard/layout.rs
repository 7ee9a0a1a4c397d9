//! The dashboard's frame and helpers: the page layout, its style and script, badges, buttons.
//! Every value rendered goes through [`html`]; the little JavaScript here posts to the admin
//! API, loads payloads on demand and refreshes the `data-live` sections when `/admin/live`
//! changes.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use serde_json::Value;

use crate::context::Context;
use crate::util::{self, html};

/// The sub-state the dashboard's pages take.
pub(crate) type St = State<Arc<Context>>;

const STYLE: &str = "\
*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9;font-size:15px}\
header{background:#1d2330;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1.5rem;align-items:center}\
header a{color:#cfd6e4;text-decoration:none}header a.on,header a:hover{color:#fff}header strong{margin-right:1rem}\
main{max-width:78rem;margin:0 auto;padding:1rem 1.5rem 3rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.8rem}\
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:.4rem 1rem 1rem;margin-bottom:1rem}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eceef2;padding:.35rem .5rem;text-align:left;vertical-align:top}\
th{font-weight:600;color:#556;font-size:.85rem}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}\
pre{background:#f3f4f7;padding:.6rem;overflow:auto;max-height:28rem;border-radius:4px}\
.badge{display:inline-block;padding:.05rem .45rem;border-radius:3px;font-size:.8rem;font-weight:600;background:#e6e8ee}\
.ACTIVE,.delivered,.accept,.ok,.allow,.pass{background:#d8f3df;color:#185c2b}.INACTIVE,.dead,.reject,.fail,.deny,.error,.canceled{background:#fbe0e0;color:#8a1c1c}\
.DRAFT,.pending{background:#fff1cc;color:#6b4e00}.attempt{display:block;padding:0 .2rem;margin-bottom:1px}td pre{max-width:22rem}.muted{color:#778}\
button{font:inherit;padding:.25rem .7rem;border:1px solid #b8bfcc;border-radius:4px;background:#fff;cursor:pointer}\
button:hover{background:#eef1f6}input{font:inherit;padding:.25rem .4rem;width:28rem;max-width:100%}\
#flash{min-height:1.3rem;color:#335}";

const SCRIPT: &str = r#"(()=>{
const flash=m=>{const f=document.getElementById('flash');if(f)f.textContent=m;};
async function refresh(){
 const open=[...document.querySelectorAll('details[open]')].map(d=>d.id);
 const r=await fetch(location.href,{headers:{Accept:'text/html'}});if(!r.ok)return;
 const doc=new DOMParser().parseFromString(await r.text(),'text/html');
 document.querySelectorAll('[data-live]').forEach(el=>{const n=doc.getElementById(el.id);if(n)el.replaceWith(n);});
 open.forEach(id=>{const d=document.getElementById(id);if(d)d.open=true;});
}
async function send(spec,body){
 const [method,url]=spec.split(' ');
 const r=await fetch(url,{method,headers:{'Content-Type':'application/json'},body:JSON.stringify(body||{})});
 const t=await r.text();flash(r.ok?'Done ('+r.status+').':'Failed ('+r.status+'): '+t.slice(0,200));await refresh();
}
document.addEventListener('submit',e=>{const f=e.target.closest('form[data-action]');if(!f)return;
 e.preventDefault();send(f.dataset.action,Object.fromEntries(new FormData(f)));});
document.addEventListener('click',e=>{const b=e.target.closest('button[data-action]');if(!b)return;
 e.preventDefault();send(b.dataset.action,b.dataset.body?JSON.parse(b.dataset.body):{});});
document.addEventListener('toggle',async e=>{const d=e.target;if(!d.dataset||!d.dataset.src||!d.open)return;
 const r=await fetch(d.dataset.src);const j=await r.json();d.querySelector('pre').textContent=JSON.stringify(j.event,null,2);},true);
let seen=null;setInterval(async()=>{try{const t=await (await fetch('/admin/live')).text();
 if(t!==seen)await refresh();seen=t;}catch(_){}},1000);
})();"#;

/// A dashboard page: the navigation, a flash line for action results, then `body`.
pub(crate) fn layout(title: &str, nav: &str, body: &str) -> Html<String> {
    let link = |href: &str, label: &str, key: &str| {
        let on = if key == nav { " class=\"on\"" } else { "" };
        format!("<a href=\"{href}\"{on}>{label}</a>")
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{t} · Humanos sandbox</title>\
         <style>{STYLE}</style></head><body><header><strong>Humanos sandbox</strong>{home}{hooks}</header>\
         <main><h1>{t}</h1><p id=\"flash\" role=\"status\"></p>{body}</main><script>{SCRIPT}</script></body></html>",
        t = html(title),
        home = link("/admin", "Home", "home"),
        hooks = link("/admin/webhooks", "Webhooks", "webhooks"),
    ))
}

/// `<span class="badge STATE">STATE</span>` (the class is one of a fixed set when styled).
pub(crate) fn badge(state: &str) -> String {
    let class: String = state
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("<span class=\"badge {class}\">{}</span>", html(state))
}

/// Pretty-printed JSON in a `<pre>`, escaped.
pub(crate) fn pretty(value: &Value) -> String {
    format!(
        "<pre>{}</pre>",
        html(&serde_json::to_string_pretty(value).unwrap_or_default())
    )
}

/// A time in ms as ISO 8601, or a dash.
pub(crate) fn when(ms: Option<u64>) -> String {
    ms.map_or_else(|| "–".to_owned(), util::iso)
}

/// A `<button>` that sends `method url` with `body` (JSON) through the admin API.
pub(crate) fn action_button(id: &str, method: &str, url: &str, label: &str) -> String {
    format!(
        "<button id=\"{}\" data-action=\"{} {}\">{}</button>",
        html(id),
        html(method),
        html(url),
        html(label)
    )
}

/// A path segment, percent-encoded (ids are user data).
pub(crate) fn seg(id: &str) -> String {
    humancode::encode_uri_component(id)
}
