//! CSV import and export of the location tree, by codes: a site's buildings, floors, rooms and
//! areas in one sheet. Import is all or nothing (or the valid rows with `partial=true`),
//! idempotent by site and code, and a parent may be a row earlier in the same sheet; the export
//! lists parents before their children, so it imports back unchanged.

use std::collections::HashMap;

use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{department, location, site};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::dto::LocationDto;
use super::locations::check_links;
use super::shared::{audit, require_site_write};
use crate::auth::principal::Principal;
use crate::error::{ApiResult, parsed};
use crate::spreadsheet::{CsvOut, ImportReport, Sheet};
use crate::state::AppState;

pub const COLUMNS: &[&str] = &[
    "site_code",
    "code",
    "name",
    "kind",
    "parent_code",
    "department_code",
];

pub fn template() -> String {
    "site_code,code,name,kind,parent_code,department_code\n\
     SMGH,MB,Main Block,building,,\n\
     SMGH,MB-1,First Floor,floor,MB,\n\
     SMGH,MB-1-01,ICU Bay A,room,MB-1,ICU\n"
        .to_string()
}

pub async fn export(state: &AppState, p: &Principal, site_id: Option<Uuid>) -> ApiResult<String> {
    p.require("org.read")?;
    let sites: HashMap<Uuid, String> = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    let departments: HashMap<Uuid, String> = department::Entity::find()
        .filter(department::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.code))
        .collect();
    let mut all = location::Entity::find()
        .filter(location::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?;
    if let Some(s) = site_id {
        all.retain(|l| l.site_id == s);
    }
    let codes: HashMap<Uuid, String> = all.iter().map(|l| (l.id, l.code.clone())).collect();
    // Parents first: by depth, then by site and code.
    let depth = |l: &location::Model| {
        let mut d = 0;
        let mut up = l.parent_id;
        while let Some(pid) = up {
            d += 1;
            up = all.iter().find(|x| x.id == pid).and_then(|x| x.parent_id);
            if d > 64 {
                break;
            }
        }
        d
    };
    let mut rows: Vec<(usize, String, String, &location::Model)> = all
        .iter()
        .map(|l| {
            (
                depth(l),
                sites.get(&l.site_id).cloned().unwrap_or_default(),
                l.code.clone(),
                l,
            )
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    let mut w = CsvOut::new(COLUMNS)?;
    for (_, site_code, code, l) in rows {
        w.row([
            site_code,
            code,
            l.name.clone(),
            l.kind.key().to_string(),
            l.parent_id
                .and_then(|p| codes.get(&p).cloned())
                .unwrap_or_default(),
            l.department_id
                .and_then(|d| departments.get(&d).cloned())
                .unwrap_or_default(),
        ])?;
    }
    w.finish()
}

pub async fn import(
    state: &AppState,
    p: &Principal,
    body: &[u8],
    partial: bool,
) -> ApiResult<ImportReport> {
    p.require("location.manage")?;
    let sheet = Sheet::read(
        body,
        COLUMNS,
        &["site_code", "code", "name", "kind"],
        "/locations/import-template.csv",
    )?;
    let sites: HashMap<String, Uuid> = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.code, s.id))
        .collect();
    let departments: HashMap<(Uuid, String), Uuid> = department::Entity::find()
        .filter(department::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| ((d.site_id, d.code), d.id))
        .collect();
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let mut report = ImportReport::default();
    for (row_no, row) in sheet.rows() {
        let cell = |k: &str| row.cell(k);
        let mut problems: Vec<(&str, String)> = vec![];
        let site_id = match cell("site_code").map(str::to_uppercase) {
            None => {
                problems.push(("site_code", "is required".into()));
                None
            }
            Some(s) => match sites.get(&s) {
                Some(id) => Some(*id),
                None => {
                    problems.push(("site_code", format!("no site {s}")));
                    None
                }
            },
        };
        let code = match validate::code(cell("code").unwrap_or("")) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(("code", e));
                None
            }
        };
        let name = match validate::name(cell("name").unwrap_or(""), 160) {
            Ok(n) => Some(n),
            Err(e) => {
                problems.push(("name", e));
                None
            }
        };
        let kind = match cell("kind").map(str::to_lowercase) {
            Some(k) => match hmms_domain::org::LocationKind::from_key(&k) {
                Some(k) => Some(k),
                None => {
                    problems.push(("kind", "must be building, wing, floor, room or area".into()));
                    None
                }
            },
            None => {
                problems.push(("kind", "is required".into()));
                None
            }
        };
        let mut parent = None;
        let mut dept = None;
        let mut existing = None;
        if let (Some(site_id), Some(code)) = (site_id, &code) {
            if let Err(e) = require_site_write(p, "location.manage", site_id) {
                problems.push(("site_code", e.to_string()));
            }
            let find = |c: String| {
                location::Entity::find()
                    .filter(location::Column::SiteId.eq(site_id))
                    .filter(location::Column::Code.eq(c))
                    .one(&*tx)
            };
            existing = find(code.clone()).await?;
            if let Some(pc) = cell("parent_code").map(str::to_uppercase) {
                match find(pc.clone()).await? {
                    Some(l) => parent = Some(l.id),
                    None => {
                        problems.push(("parent_code", format!("no location {pc} at this site")))
                    }
                }
            }
            if let Some(dc) = cell("department_code").map(str::to_uppercase) {
                match departments.get(&(site_id, dc.clone())) {
                    Some(d) => dept = Some(*d),
                    None => problems.push((
                        "department_code",
                        format!("no department {dc} at this site"),
                    )),
                }
            }
            if problems.is_empty() {
                let mut errors = Errors::default();
                check_links(
                    &*tx,
                    p,
                    site_id,
                    parent,
                    dept,
                    existing.as_ref().map(|l| l.id),
                    &mut errors,
                )
                .await?;
                for e in errors.0 {
                    let col = if e.field == "parentId" {
                        "parent_code"
                    } else {
                        "department_code"
                    };
                    problems.push((col, e.message));
                }
            }
        }
        if !problems.is_empty() {
            report.skip(row_no, problems);
            continue;
        }
        let (site_id, code, name, kind) = (
            parsed(site_id, "siteId")?,
            parsed(code, "code")?,
            parsed(name, "name")?,
            parsed(kind, "kind")?,
        );
        match existing {
            Some(l) => {
                let before = LocationDto::from(l.clone());
                let version = l.version;
                let mut m = l.into_active_model();
                m.name = Set(name);
                m.kind = Set(kind);
                m.parent_id = Set(parent);
                m.department_id = Set(dept);
                m.updated_at = Set(now);
                m.version = Set(version + 1);
                let after = LocationDto::from(m.update(&*tx).await?);
                audit(
                    &tx,
                    now,
                    p,
                    "location.imported",
                    after.id,
                    Some(&before),
                    Some(&after),
                )
                .await?;
                report.updated += 1;
            }
            None => {
                let m = location::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(p.org()),
                    site_id: Set(site_id),
                    parent_id: Set(parent),
                    department_id: Set(dept),
                    kind: Set(kind),
                    name: Set(name),
                    code: Set(code),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                }
                .insert(&*tx)
                .await?;
                let after = LocationDto::from(m);
                audit(
                    &tx,
                    now,
                    p,
                    "location.imported",
                    after.id,
                    None,
                    Some(&after),
                )
                .await?;
                report.created += 1;
            }
        }
    }
    let report = report.finish(partial)?;
    tx.commit().await?;
    Ok(report)
}
