//! The key figures and breakdowns as files to send to a medical director or a finance office:
//! PDF to read and print, XLSX with typed cells to work on (and CSV for the breakdown's table),
//! headed by what they cover — the organization, the period and the filters in the hospital's
//! own dates, who made the file and when.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hmms_store::entities::{department, equipment_class, organization, site};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::dto::*;
use super::{breakdown, kpis};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::pdf::pdf;
use crate::spreadsheet::{CsvOut, currency_factor, money};
use crate::state::AppState;
use crate::workbook::{Cell, Heading, Table, xlsx};

/// What a report file is made as.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Pdf,
    Xlsx,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A file to download: its name and contents.
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The key figures, SLA by priority, backlog and cost of a period as one document.
pub async fn kpis_file(
    state: &AppState,
    p: &Principal,
    q: KpiQuery,
    format: Format,
) -> ApiResult<File> {
    // The figures first: they check the reader's permission and filters.
    let k = kpis::kpis(state, p, q.clone()).await?;
    let (heading, zone) = heading(state, p, "Key figures", &q).await?;
    let name = file_name("key-figures", q.from, zone, format.extension());
    let figures = Table {
        sheet: "Key figures",
        columns: vec![
            ("Figure", 34.0),
            ("Value", 14.0),
            ("Unit", 10.0),
            ("Counted", 10.0),
            ("Formula", 50.0),
            ("Which records", 50.0),
        ],
        rows: k
            .figures
            .iter()
            .map(|f| {
                let value = match (f.unit.as_str(), f.value) {
                    (_, None) => Cell::Empty,
                    ("hours", Some(v)) => Cell::Hours(v),
                    ("percent", Some(v)) => Cell::Percent(v),
                    ("money", Some(v)) => Cell::Money(v as i64),
                    (_, Some(v)) => Cell::Count(v as i64),
                };
                let unit = if f.unit == "money" {
                    k.currency.clone()
                } else {
                    f.unit.clone()
                };
                vec![
                    Cell::text(&f.name),
                    value,
                    Cell::text(unit),
                    Cell::Count(f.counted),
                    Cell::text(&f.formula),
                    Cell::text(&f.period_rule),
                ]
            })
            .collect(),
    };
    let sla = Table {
        sheet: "SLA by priority",
        columns: vec![
            ("Priority", 12.0),
            ("Completed", 12.0),
            ("Response met", 14.0),
            ("Response met %", 16.0),
            ("Resolution met", 15.0),
            ("Resolution met %", 17.0),
        ],
        rows: k
            .sla_by_priority
            .iter()
            .map(|s| {
                vec![
                    Cell::text(capitalized(&s.priority)),
                    Cell::Count(s.completed),
                    Cell::Count(s.response_met),
                    Cell::percent(s.response_percent),
                    Cell::Count(s.resolution_met),
                    Cell::percent(s.resolution_percent),
                ]
            })
            .collect(),
    };
    let mut columns = vec![("Department", 30.0), ("Open", 10.0)];
    let buckets: Vec<&'static str> = hmms_domain::reports::AGE_BUCKETS
        .iter()
        .map(|b| match *b {
            "0-7" => "0–7 days",
            "8-30" => "8–30 days",
            "31-90" => "31–90 days",
            _ => "Over 90 days",
        })
        .collect();
    columns.extend(buckets.iter().map(|b| (*b, 13.0)));
    let backlog = Table {
        sheet: "Backlog",
        columns,
        rows: k
            .backlog
            .iter()
            .map(|b| {
                let mut row = vec![
                    Cell::text(
                        b.department_name
                            .clone()
                            .unwrap_or_else(|| "No department".into()),
                    ),
                    Cell::Count(b.open),
                ];
                row.extend(b.by_age.iter().map(|n| Cell::Count(*n)));
                row
            })
            .collect(),
    };
    let cost = Table {
        sheet: "Cost",
        columns: vec![("Cost of the work completed", 30.0), ("{currency}", 16.0)],
        rows: vec![
            vec![Cell::text("Labour"), Cell::Money(k.cost.labour_minor)],
            vec![Cell::text("Parts"), Cell::Money(k.cost.parts_minor)],
            vec![Cell::text("Contractors"), Cell::Money(k.cost.vendor_minor)],
            vec![Cell::text("Total"), Cell::Money(k.cost.total_minor)],
        ],
    };
    let delays = Table {
        sheet: "Reasons for delay",
        columns: vec![
            ("Waited for", 34.0),
            ("Work orders", 14.0),
            ("Hours on hold", 16.0),
        ],
        rows: k
            .delays
            .iter()
            .map(|d| {
                vec![
                    Cell::text(&d.name),
                    Cell::Count(d.work_orders),
                    Cell::Hours(d.hours),
                ]
            })
            .collect(),
    };
    Ok(File {
        name,
        bytes: render(heading, vec![figures, sla, backlog, cost, delays], format).await?,
    })
}

/// A breakdown's table as a document.
pub async fn breakdown_file(
    state: &AppState,
    p: &Principal,
    q: BreakdownQuery,
    format: Format,
) -> ApiResult<File> {
    let place = q.place();
    let b = breakdown::breakdown(state, p, q).await?;
    let (heading, zone) = heading(state, p, title_of(b.by), &place).await?;
    let name = file_name(
        &format!("breakdown-{}", b.by.key()),
        place.from,
        zone,
        format.extension(),
    );
    let table = Table {
        sheet: "Breakdown",
        columns: columns(b.by)
            .into_iter()
            .enumerate()
            .map(|(i, c)| (c, if i == 0 { 34.0 } else { 13.0 }))
            .collect(),
        rows: b
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(group_name(b.by, r)),
                    Cell::Count(r.completed),
                    Cell::Count(r.repairs),
                    Cell::hours(r.mttr_hours),
                    Cell::Count(r.failures),
                    Cell::hours(r.mtbf_hours),
                    Cell::Hours(r.downtime_hours),
                    Cell::Count(r.assets),
                    Cell::percent(r.availability_percent),
                    Cell::Money(r.labour_minor),
                    Cell::Money(r.parts_minor),
                    Cell::Money(r.vendor_minor),
                    Cell::Money(r.cost_minor),
                ]
            })
            .collect(),
    };
    Ok(File {
        name,
        bytes: render(heading, vec![table], format).await?,
    })
}

/// A breakdown's table as CSV (money in major units, percentages and hours as numbers).
pub async fn breakdown_csv(state: &AppState, p: &Principal, q: BreakdownQuery) -> ApiResult<File> {
    let (from, site) = (q.from, q.site_id);
    let b = breakdown::breakdown(state, p, q).await?;
    let factor = currency_factor(&state.db, p.org()).await?;
    let zone = zone(&state.db, p, site).await?;
    let name = file_name(&format!("breakdown-{}", b.by.key()), from, zone, "csv");
    let mut out = CsvOut::new(columns(b.by))?;
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in &b.rows {
        out.row([
            group_name(b.by, r),
            r.completed.to_string(),
            r.repairs.to_string(),
            num(r.mttr_hours),
            r.failures.to_string(),
            num(r.mtbf_hours),
            r.downtime_hours.to_string(),
            r.assets.to_string(),
            num(r.availability_percent),
            money(Some(r.labour_minor), factor),
            money(Some(r.parts_minor), factor),
            money(Some(r.vendor_minor), factor),
            money(Some(r.cost_minor), factor),
        ])?;
    }
    Ok(File {
        name,
        bytes: out.finish()?.into_bytes(),
    })
}

/// `key-figures-2026-11-01.xlsx`: what it is and the hospital's day its period starts on.
fn file_name(what: &str, from: DateTime<Utc>, zone: Tz, ext: &str) -> String {
    format!(
        "{what}-{}.{ext}",
        from.with_timezone(&zone).format("%Y-%m-%d")
    )
}

fn title_of(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Site => "Key figures by hospital",
        GroupBy::Department => "Key figures by department",
        GroupBy::Class => "Key figures by equipment class",
        GroupBy::Asset => "Key figures by equipment (the 100 that cost most)",
    }
}

fn columns(by: GroupBy) -> Vec<&'static str> {
    let group = match by {
        GroupBy::Site => "Hospital",
        GroupBy::Department => "Department",
        GroupBy::Class => "Equipment class",
        GroupBy::Asset => "Equipment",
    };
    vec![
        group,
        "Completed",
        "Repairs",
        "MTTR (h)",
        "Failures",
        "MTBF (h)",
        "Downtime (h)",
        "Equipment in use",
        "Availability",
        "Labour",
        "Parts",
        "Contractors",
        "Total cost",
    ]
}

fn group_name(by: GroupBy, r: &BreakdownRow) -> String {
    r.name.clone().unwrap_or_else(|| {
        match by {
            GroupBy::Site => "No hospital",
            GroupBy::Department => "No department",
            GroupBy::Class => "No class",
            GroupBy::Asset => "No equipment",
        }
        .into()
    })
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// One file is drawn at a time, so a burst of downloads cannot multiply the memory a render
/// takes; each waits its turn without holding an async worker.
static RENDERING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Writes the file on a blocking thread: the async workers keep answering meanwhile.
async fn render(heading: Heading, tables: Vec<Table>, format: Format) -> ApiResult<Vec<u8>> {
    let internal = |e: String| crate::error::ApiError::Internal(anyhow::anyhow!(e));
    let _turn = RENDERING
        .acquire()
        .await
        .map_err(|e| internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || match format {
        Format::Pdf => pdf(&heading, &tables),
        Format::Xlsx => xlsx(&heading, &tables),
    })
    .await
    .map_err(|e| internal(e.to_string()))?
}

/// The heading of a report: organization, period and filters in the hospital's dates, and who
/// made it when.
async fn heading(
    state: &AppState,
    p: &Principal,
    title: &str,
    q: &KpiQuery,
) -> ApiResult<(Heading, Tz)> {
    let db = &state.db;
    let org = organization::Entity::find_by_id(p.org()).one(db).await?;
    let zone = zone(db, p, q.site_id).await?;
    let day = |t: DateTime<Utc>| t.with_timezone(&zone).format("%-d %b %Y").to_string();
    // `to` is exclusive: the period ends the day before, when it ends at midnight.
    let local_to = q.to.with_timezone(&zone);
    let last = if local_to.time() == chrono::NaiveTime::MIN {
        day(q.to - Duration::seconds(1))
    } else {
        local_to.format("%-d %b %Y %H:%M").to_string()
    };
    let mut lines = vec![
        (
            "Organization",
            org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        ),
        ("Period", format!("{} – {last}", day(q.from))),
    ];
    if let Some(id) = q.site_id {
        let name = site::Entity::find_by_id(id).one(db).await?.map(|s| s.name);
        lines.push(("Hospital", name.unwrap_or_default()));
    }
    if let Some(id) = q.department_id {
        let name = department::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|d| d.name);
        lines.push(("Department", name.unwrap_or_default()));
    }
    if let Some(id) = q.class_id {
        let name = equipment_class::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.name);
        lines.push(("Equipment class", name.unwrap_or_default()));
    }
    if let Some(r) = &q.risk_class {
        lines.push(("Risk", capitalized(r)));
    }
    lines.push((
        "Generated",
        format!(
            "{} by {}, {}",
            state
                .clock
                .now()
                .with_timezone(&zone)
                .format("%-d %b %Y %H:%M"),
            p.user.name,
            zone.name()
        ),
    ));
    let currency = org.map(|o| o.currency).unwrap_or_default();
    let heading = Heading {
        title: title.into(),
        lines,
        money_factor: currency_factor(db, p.org()).await?,
        currency,
    };
    Ok((heading, zone))
}

/// The time zone a report's dates are given in: the hospital asked for, else the reader's,
/// else the organization's first.
async fn zone(db: &impl ConnectionTrait, p: &Principal, site: Option<Uuid>) -> ApiResult<Tz> {
    let chosen = match site.or(p.user.site_id) {
        Some(id) => site::Entity::find_by_id(id).one(db).await?,
        None => {
            site::Entity::find()
                .filter(site::Column::OrganizationId.eq(p.org()))
                .order_by_asc(site::Column::Code)
                .one(db)
                .await?
        }
    };
    Ok(chosen
        .and_then(|s| s.time_zone.parse().ok())
        .unwrap_or(Tz::UTC))
}
