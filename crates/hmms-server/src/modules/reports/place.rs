//! Where a report looks: the reader's scope narrowed to a site, department, equipment class or
//! risk, each checked against what the reader may see, and the period it covers.

use hmms_domain::assets::RiskClass;
use hmms_store::entities::{asset, department, equipment_class, site, work_order};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::dto::KpiQuery;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::{assets, work_orders};

/// A report covers at most this many days.
pub(super) const MAX_DAYS: i64 = 3 * 366;
/// Ids sent to the database in one `IN (…)`: well inside every backend's parameter limit.
pub(super) const CHUNK: usize = 5_000;

/// Where the figures look: the reader's scope narrowed by the filters.
pub(super) struct Place {
    pub work: Condition,
    pub assets: Condition,
    pub site: Option<Uuid>,
    pub department: Option<Uuid>,
    /// Narrowed to a department or to equipment: stock counts only what went to that work.
    pub by_work: bool,
}

/// A period a report can cover: both ends between 1900 and 9999 (what every backend stores,
/// with the 30 days some figures look back), `to` after `from`, at most three years.
pub(super) fn check_period(q: &KpiQuery) -> ApiResult<()> {
    for (field, at) in [("from", q.from), ("to", q.to)] {
        if !(1900..=9999).contains(&chrono::Datelike::year(&at)) {
            return Err(ApiError::validation(field, "a date between 1900 and 9999"));
        }
    }
    if q.to <= q.from {
        return Err(ApiError::validation("to", "must be after `from`"));
    }
    if (q.to - q.from).num_days() > MAX_DAYS {
        return Err(ApiError::validation(
            "to",
            "a report covers at most three years",
        ));
    }
    Ok(())
}

/// The reader's scope narrowed to the site and department asked for, each of which must be one
/// the reader may see (else 422, the same answer as for an id that does not exist).
pub(super) async fn place(
    db: &impl ConnectionTrait,
    p: &Principal,
    q: &KpiQuery,
) -> ApiResult<Place> {
    let mut work = work_orders::visible_condition(&p.filter());
    let mut assets = assets::visible_condition(&p.filter());
    if let Some(id) = q.site_id {
        let visible = site::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|s| s.organization_id == p.org())
            && (p.may_place(id, None) || p.user.site_id == Some(id));
        if !visible {
            return Err(ApiError::validation("siteId", "no such hospital"));
        }
        work = work.add(work_order::Column::SiteId.eq(id));
        assets = assets.add(asset::Column::SiteId.eq(id));
    }
    if let Some(id) = q.department_id {
        let d = department::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|d| d.organization_id == p.org() && p.may_place(d.site_id, Some(d.id)))
            .ok_or_else(|| ApiError::validation("departmentId", "no such department"))?;
        if q.site_id.is_some_and(|s| s != d.site_id) {
            return Err(ApiError::validation(
                "departmentId",
                "not a department of that hospital",
            ));
        }
        work = work.add(work_order::Column::DepartmentId.eq(id));
        assets = assets.add(asset::Column::DepartmentId.eq(id));
    }
    // Equipment filters narrow the work to work on that equipment.
    let mut equipment = Condition::all();
    if let Some(id) = q.class_id {
        let classes = equipment_class::Entity::find()
            .filter(equipment_class::Column::OrganizationId.eq(p.org()))
            .all(db)
            .await?;
        if !classes.iter().any(|c| c.id == id) {
            return Err(ApiError::validation("classId", "no such equipment class"));
        }
        equipment = equipment.add(asset::Column::ClassId.is_in(subtree(&classes, id)));
    }
    if let Some(r) = &q.risk_class {
        let risk = RiskClass::from_key(r)
            .ok_or_else(|| ApiError::validation("riskClass", "high, medium or low"))?;
        equipment = equipment.add(asset::Column::RiskClass.eq(risk));
    }
    if q.class_id.is_some() || q.risk_class.is_some() {
        assets = assets.add(equipment.clone());
        let ids = Query::select()
            .column(asset::Column::Id)
            .from(asset::Entity)
            .cond_where(
                Condition::all()
                    .add(asset::Column::OrganizationId.eq(p.org()))
                    .add(equipment),
            )
            .to_owned();
        work = work.add(work_order::Column::AssetId.in_subquery(ids));
    }
    Ok(Place {
        work,
        assets,
        site: q.site_id,
        department: q.department_id,
        by_work: q.department_id.is_some() || q.class_id.is_some() || q.risk_class.is_some(),
    })
}

/// A class and every class under it.
fn subtree(classes: &[equipment_class::Model], root: Uuid) -> Vec<Uuid> {
    let mut out = vec![root];
    let mut i = 0;
    while let Some(&parent) = out.get(i) {
        out.extend(
            classes
                .iter()
                .filter(|c| c.parent_id == Some(parent) && !out.contains(&c.id))
                .map(|c| c.id)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    out
}

/// The ids of the work `place` selects, as a subquery.
pub(super) fn ids_of_work(place: Condition) -> SelectStatement {
    Query::select()
        .column(work_order::Column::Id)
        .from(work_order::Entity)
        .cond_where(place)
        .to_owned()
}

/// Department names as a report shows them: with their hospital's code when they come from more
/// than one hospital (two hospitals each have a Maternity).
pub(super) async fn department_names(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> ApiResult<std::collections::HashMap<Uuid, String>> {
    let mut departments = vec![];
    for chunk in ids.chunks(CHUNK) {
        departments.extend(
            department::Entity::find()
                .filter(department::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    let mut sites: Vec<Uuid> = departments.iter().map(|d| d.site_id).collect();
    sites.sort_unstable();
    sites.dedup();
    if sites.len() < 2 {
        return Ok(departments.into_iter().map(|d| (d.id, d.name)).collect());
    }
    let codes: std::collections::HashMap<Uuid, String> = site::Entity::find()
        .filter(site::Column::Id.is_in(sites))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    Ok(departments
        .into_iter()
        .map(|d| {
            let name = match codes.get(&d.site_id) {
                Some(code) => format!("{} · {code}", d.name),
                None => d.name,
            };
            (d.id, name)
        })
        .collect())
}
