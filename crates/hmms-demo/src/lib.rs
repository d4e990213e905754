//! The demo hospital network: two hospitals, their departments, sections and buildings, one
//! user for each role, and a year of maintenance work. Loaded only into an empty database.

use chrono::{DateTime, Utc};
use hmms_domain::BuiltinRole;
use hmms_store::entities::{
    department, location, section, setting, site, totp_secret, user, vendor_company,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

mod assets;
mod inventory;
mod preventive;
mod scale_plans;
mod scale_stock;
mod work_orders;

use std::collections::HashMap;

use hmms_server::audit;
use hmms_server::auth::totp;
use hmms_server::bootstrap::{NewUser, create_organization, insert_user, is_empty};
use hmms_server::state::AppState;

pub const DEMO_PASSWORD: &str = "demo-password-2026";
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
const MARKER: &str = "demo.loaded";

/// What `--demo` found.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded,
    AlreadyPresent,
    /// The database holds other data; nothing was changed.
    Refused,
}

type Depts = &'static [(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
)];

const SMGH_DEPARTMENTS: Depts = &[
    (
        "ICU",
        "Intensive Care Unit",
        &[("ADULT", "Adult ICU"), ("NICU", "Neonatal ICU")],
    ),
    (
        "ED",
        "Emergency Department",
        &[("TRIAGE", "Triage"), ("RESUS", "Resuscitation")],
    ),
    (
        "OT",
        "Operating Theatres",
        &[("MAIN", "Main Theatres"), ("DAY", "Day Surgery")],
    ),
    (
        "RAD",
        "Radiology",
        &[("XRAY", "X-ray"), ("CT", "CT and MRI")],
    ),
    (
        "LAB",
        "Laboratory",
        &[("HAEM", "Haematology"), ("MICRO", "Microbiology")],
    ),
    (
        "MAT",
        "Maternity",
        &[("LABOUR", "Labour Ward"), ("POSTNATAL", "Postnatal Ward")],
    ),
    (
        "MED",
        "Internal Medicine",
        &[
            ("MALE", "Male Medical Ward"),
            ("FEMALE", "Female Medical Ward"),
        ],
    ),
    ("BME", "Biomedical Engineering", &[("WORKSHOP", "Workshop")]),
    (
        "EST",
        "Facilities and Estates",
        &[("ELEC", "Electrical"), ("PLUMB", "Plumbing and Water")],
    ),
];

const LDH_DEPARTMENTS: Depts = &[
    ("OPD", "Outpatient Department", &[("GEN", "General Clinic")]),
    ("MAT", "Maternity", &[("LABOUR", "Labour Ward")]),
    (
        "EST",
        "Facilities and Estates",
        &[("GEN", "General Maintenance")],
    ),
];

struct Ctx<'a, C> {
    db: &'a C,
    org: Uuid,
    now: DateTime<Utc>,
}

impl<C: ConnectionTrait> Ctx<'_, C> {
    async fn site(&self, name: &str, code: &str, tz: &str, address: &str) -> anyhow::Result<Uuid> {
        let id = Uuid::now_v7();
        site::ActiveModel {
            id: Set(id),
            organization_id: Set(self.org),
            name: Set(name.into()),
            code: Set(code.into()),
            time_zone: Set(tz.into()),
            address: Set(Some(address.into())),
            public_requests_enabled: Set(true),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            version: Set(1),
        }
        .insert(self.db)
        .await?;
        Ok(id)
    }

    async fn departments(
        &self,
        site_id: Uuid,
        list: Depts,
    ) -> anyhow::Result<Vec<(&'static str, Uuid)>> {
        let mut out = vec![];
        for (code, name, sections) in list {
            let id = Uuid::now_v7();
            department::ActiveModel {
                id: Set(id),
                organization_id: Set(self.org),
                site_id: Set(site_id),
                name: Set((*name).into()),
                code: Set((*code).into()),
                head_user_id: Set(None),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                version: Set(1),
            }
            .insert(self.db)
            .await?;
            for (scode, sname) in *sections {
                section::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(self.org),
                    department_id: Set(id),
                    name: Set((*sname).into()),
                    code: Set((*scode).into()),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    version: Set(1),
                }
                .insert(self.db)
                .await?;
            }
            out.push((*code, id));
        }
        Ok(out)
    }

    async fn location(
        &self,
        site_id: Uuid,
        parent: Option<Uuid>,
        dept: Option<Uuid>,
        kind: &str,
        code: &str,
        name: &str,
    ) -> anyhow::Result<Uuid> {
        let id = Uuid::now_v7();
        location::ActiveModel {
            id: Set(id),
            organization_id: Set(self.org),
            site_id: Set(site_id),
            parent_id: Set(parent),
            department_id: Set(dept),
            kind: Set(kind.parse()?),
            name: Set(name.into()),
            code: Set(code.into()),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            version: Set(1),
        }
        .insert(self.db)
        .await?;
        Ok(id)
    }
}

fn dept(list: &[(&'static str, Uuid)], code: &str) -> anyhow::Result<Uuid> {
    list.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, id)| *id)
        .ok_or_else(|| anyhow::anyhow!("the demo has no department {code}"))
}

/// Loads the demo into an empty database, in one transaction.
pub async fn load(state: &AppState) -> anyhow::Result<DemoOutcome> {
    load_with(state, true).await
}

/// Loads the demo; without `work_orders` only the organization, places and people (tests
/// start from that known state).
pub async fn load_with(state: &AppState, with_work: bool) -> anyhow::Result<DemoOutcome> {
    if setting::Entity::find_by_id(MARKER.to_string())
        .one(&state.db)
        .await?
        .is_some()
    {
        return Ok(DemoOutcome::AlreadyPresent);
    }
    if !is_empty(&state.db).await? {
        return Ok(DemoOutcome::Refused);
    }
    let now = state.clock.now();
    // Hash before taking the write lock: argon2 is slow on purpose.
    let mut hashes = vec![];
    for _ in BuiltinRole::ALL {
        hashes.push(state.passwords.hash(DEMO_PASSWORD.into()).await?);
    }
    let tx = state
        .begin_write()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = create_organization(&*tx, "Demo Health Network", "KES", now).await?;
    // KES 1,500.00 an hour of in-house labour.
    hmms_store::entities::organization::Entity::update_many()
        .col_expr(
            hmms_store::entities::organization::Column::LabourRateMinor,
            sea_orm::sea_query::Expr::value(150_000i64),
        )
        .filter(hmms_store::entities::organization::Column::Id.eq(org))
        .exec(&*tx)
        .await?;
    let c = Ctx { db: &*tx, org, now };

    let smgh = c
        .site(
            "St. Mary's General Hospital",
            "SMGH",
            "Africa/Nairobi",
            "Hospital Road, Nairobi",
        )
        .await?;
    let ldh = c
        .site(
            "Lakeside District Hospital",
            "LDH",
            "Africa/Kampala",
            "Lake Road, Jinja",
        )
        .await?;
    let sd = c.departments(smgh, SMGH_DEPARTMENTS).await?;
    let ld = c.departments(ldh, LDH_DEPARTMENTS).await?;

    // St. Mary's: a main block with three floors and a theatre block; rooms belong to departments.
    let main = c
        .location(smgh, None, None, "building", "MB", "Main Block")
        .await?;
    let floors = [
        ("MB-G", "Ground Floor"),
        ("MB-1", "First Floor"),
        ("MB-2", "Second Floor"),
    ];
    let rooms: [&[(&str, &str, &str)]; 3] = [
        &[
            ("MB-G-01", "Emergency Bay", "ED"),
            ("MB-G-02", "Triage Room", "ED"),
            ("MB-G-10", "X-ray Room 1", "RAD"),
            ("MB-G-11", "CT Suite", "RAD"),
            ("MB-G-20", "Main Laboratory", "LAB"),
        ],
        &[
            ("MB-1-01", "ICU Bay A", "ICU"),
            ("MB-1-02", "ICU Bay B", "ICU"),
            ("MB-1-03", "NICU", "ICU"),
            ("MB-1-10", "Labour Ward", "MAT"),
            ("MB-1-11", "Postnatal Ward", "MAT"),
        ],
        &[
            ("MB-2-01", "Male Medical Ward", "MED"),
            ("MB-2-02", "Female Medical Ward", "MED"),
            ("MB-2-10", "Biomedical Workshop", "BME"),
        ],
    ];
    for ((code, name), list) in floors.iter().zip(rooms) {
        let floor = c
            .location(smgh, Some(main), None, "floor", code, name)
            .await?;
        for (rc, rn, d) in list {
            c.location(smgh, Some(floor), Some(dept(&sd, d)?), "room", rc, rn)
                .await?;
        }
    }
    let theatre = c
        .location(
            smgh,
            None,
            Some(dept(&sd, "OT")?),
            "building",
            "TB",
            "Theatre Block",
        )
        .await?;
    let tf = c
        .location(
            smgh,
            Some(theatre),
            Some(dept(&sd, "OT")?),
            "floor",
            "TB-G",
            "Theatre Floor",
        )
        .await?;
    for (code, name) in [
        ("TB-G-01", "Theatre 1"),
        ("TB-G-02", "Theatre 2"),
        ("TB-G-03", "Recovery Room"),
    ] {
        c.location(smgh, Some(tf), Some(dept(&sd, "OT")?), "room", code, name)
            .await?;
    }
    let plant = c
        .location(
            smgh,
            None,
            Some(dept(&sd, "EST")?),
            "area",
            "PLANT",
            "Plant Room and Generators",
        )
        .await?;
    c.location(
        smgh,
        Some(plant),
        Some(dept(&sd, "EST")?),
        "area",
        "O2-MANIFOLD",
        "Oxygen Manifold",
    )
    .await?;

    // Lakeside: one building, one floor.
    let lmain = c
        .location(ldh, None, None, "building", "MAIN", "Main Building")
        .await?;
    let lg = c
        .location(ldh, Some(lmain), None, "floor", "MAIN-G", "Ground Floor")
        .await?;
    for (code, name, d) in [
        ("MAIN-G-01", "Outpatient Clinic", "OPD"),
        ("MAIN-G-02", "Labour Room", "MAT"),
        ("MAIN-G-03", "Maintenance Store", "EST"),
    ] {
        c.location(ldh, Some(lg), Some(dept(&ld, d)?), "room", code, name)
            .await?;
    }

    let people: [(&str, &str, BuiltinRole, Option<Uuid>); 7] = [
        (
            "admin@demo.hmms",
            "Amina Odhiambo",
            BuiltinRole::Admin,
            None,
        ),
        (
            "manager@demo.hmms",
            "Peter Kamau",
            BuiltinRole::FacilityManager,
            Some(dept(&sd, "EST")?),
        ),
        (
            "technician@demo.hmms",
            "Grace Wanjiru",
            BuiltinRole::Technician,
            Some(dept(&sd, "BME")?),
        ),
        (
            "staff@demo.hmms",
            "Nurse Faith Achieng",
            BuiltinRole::Staff,
            Some(dept(&sd, "ICU")?),
        ),
        (
            "procurement@demo.hmms",
            "John Mwangi",
            BuiltinRole::Procurement,
            None,
        ),
        (
            "vendor@demo.hmms",
            "Joseph Mwangi",
            BuiltinRole::Vendor,
            None,
        ),
        ("it@demo.hmms", "Samuel Otieno", BuiltinRole::It, None),
    ];
    let secret = totp::from_base32(DEMO_TOTP_SECRET)
        .ok_or_else(|| anyhow::anyhow!("the demo TOTP secret is not base32"))?;
    let mut ids: HashMap<&str, Uuid> = HashMap::new();
    for ((email, name, role, department_id), hash) in people.into_iter().zip(hashes) {
        let site_id = (role != BuiltinRole::Vendor).then_some(smgh);
        let u = insert_user(
            &*tx,
            NewUser {
                organization_id: org,
                email,
                name,
                role,
                password_hash: hash,
                site_id,
                department_id,
                section_id: None,
                must_change_password: false,
            },
            now,
        )
        .await?;
        ids.insert(email, u.id);
        if role.requires_totp() {
            totp_secret::ActiveModel {
                user_id: Set(u.id),
                organization_id: Set(org),
                secret_ciphertext: Set(totp::encrypt(&state.keys.data, &secret)?),
                confirmed_at: Set(Some(now)),
                last_used_step: Set(None),
                created_at: Set(now),
            }
            .insert(&*tx)
            .await?;
        }
    }
    // The demo contractor: the vendor user works for it and shares its work.
    let company = vendor_company::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        name: Set("MedTech Services Ltd".into()),
        contact_name: Set(Some("Joseph Mwangi".into())),
        phone: Set(Some("+254 722 000 111".into())),
        email: Set(Some("service@medtech.example".into())),
        notes: Set(Some(
            "Service contract for imaging and theatre equipment; 4 h on-site response.".into(),
        )),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    user::Entity::update_many()
        .col_expr(user::Column::VendorCompanyId, Expr::value(company.id))
        .filter(user::Column::Id.eq(ids["vendor@demo.hmms"]))
        .exec(&*tx)
        .await?;
    // The equipment comes with the year of work (tests start from people and places only).
    let demo_assets = if with_work {
        assets::generate(&*tx, org, Some(company.id), now).await?.1
    } else {
        assets::DemoAssets::default()
    };
    let cast = work_orders::Cast {
        organization: org,
        site: smgh,
        departments: vec![
            (dept(&sd, "ICU")?, work_orders::ICU_FAULTS),
            (dept(&sd, "ED")?, work_orders::ED_FAULTS),
            (dept(&sd, "OT")?, work_orders::OT_FAULTS),
            (dept(&sd, "RAD")?, work_orders::RAD_FAULTS),
            (dept(&sd, "LAB")?, work_orders::LAB_FAULTS),
            (dept(&sd, "MAT")?, work_orders::MAT_FAULTS),
            (dept(&sd, "MED")?, work_orders::MED_FAULTS),
            (dept(&sd, "EST")?, work_orders::EST_FAULTS),
        ],
        requester: ids["staff@demo.hmms"],
        manager: ids["manager@demo.hmms"],
        technician: ids["technician@demo.hmms"],
        vendor: ids["vendor@demo.hmms"],
        vendor_company: Some(company.id),
        assets: demo_assets,
    };
    let work = if with_work {
        work_orders::generate(&tx, &cast, now).await?
    } else {
        0
    };
    let preventive_work = if with_work {
        let people = preventive::People {
            organization: org,
            technician: ids["technician@demo.hmms"],
            manager: ids["manager@demo.hmms"],
            vendor_company: Some(company.id),
        };
        let sites = [
            (smgh, "SMGH", "Africa/Nairobi".to_string()),
            (ldh, "LDH", "Africa/Kampala".to_string()),
        ];
        preventive::generate(&tx, &people, &sites, now).await?
    } else {
        0
    };
    let stores = if with_work {
        let people = inventory::People {
            organization: org,
            store_keeper: ids["procurement@demo.hmms"],
            technician: ids["technician@demo.hmms"],
        };
        inventory::generate(&tx, &people, smgh, ldh, now).await?
    } else {
        inventory::Stores::default()
    };
    audit::put_setting(&*tx, MARKER, Some(org), "true".into(), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let meta = hmms_server::auth::principal::Meta {
        ip: None,
        user_agent: Some("hmms demo".into()),
        request_id: None,
    };
    let who = audit::Who {
        organization_id: Some(org),
        actor_id: None,
        meta: &meta,
    };
    let change = audit::Change {
        action: "demo.loaded",
        entity_type: "organization",
        entity_id: Some(org.to_string()),
        before: None,
        after: Some(
            serde_json::json!({ "sites": 2, "departments": sd.len() + ld.len(), "users": 7,
                                "workOrders": work, "preventiveWorkOrders": preventive_work,
                                "parts": stores.parts, "stockMovements": stores.movements,
                                "stockOuts": stores.stock_outs }),
        ),
    };
    audit::record(&tx, now, &who, change)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if with_work {
        // What is due now comes from the real generator, as it would in a running hospital.
        hmms_server::modules::preventive::run_generator(state, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(DemoOutcome::Loaded)
}

/// What `demo --scale` adds (and, afterwards, what it added).
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub assets: usize,
    pub work_orders: usize,
    /// Preventive plans, one per generated asset (at most as many as there are).
    pub pm_plans: usize,
    /// How far ahead those plans generate work (365: the generator's first run makes a year).
    pub pm_lead_days: i32,
    /// Spare parts in St. Mary's main store, and about how many ledger entries spread over them.
    pub parts: usize,
    pub stock_entries: usize,
}

/// `hmms demo --scale`: adds a large generated data set to the demo hospital for benchmarks
/// (loading the demo first into an empty database): `assets` more pieces of equipment, then
/// `work_orders` work orders spread over all of the equipment, then `pm_plans` preventive plans
/// over the generated equipment, then `parts` spare parts with `stock_entries` ledger entries.
pub async fn scale(state: &AppState, want: Scale) -> anyhow::Result<Scale> {
    let Scale {
        assets,
        work_orders,
        pm_plans,
        pm_lead_days,
        parts,
        stock_entries,
    } = want;
    if load_with(state, true).await? == DemoOutcome::Refused {
        anyhow::bail!(
            "--scale needs an empty database or one holding the demo; this one holds other data"
        );
    }
    let db = &state.db;
    let user_id = |email: &'static str| async move {
        user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(db)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| anyhow::anyhow!("the demo user {email} is missing"))
    };
    let smgh = site::Entity::find()
        .filter(site::Column::Code.eq("SMGH"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo site is missing"))?;
    let departments = department::Entity::find()
        .filter(department::Column::SiteId.eq(smgh.id))
        .all(db)
        .await?;
    let by_code = |code: &str| departments.iter().find(|d| d.code == code).map(|d| d.id);
    let faults: [(&str, &'static [&'static str]); 8] = [
        ("ICU", work_orders::ICU_FAULTS),
        ("ED", work_orders::ED_FAULTS),
        ("OT", work_orders::OT_FAULTS),
        ("RAD", work_orders::RAD_FAULTS),
        ("LAB", work_orders::LAB_FAULTS),
        ("MAT", work_orders::MAT_FAULTS),
        ("MED", work_orders::MED_FAULTS),
        ("EST", work_orders::EST_FAULTS),
    ];
    let cast = work_orders::Cast {
        organization: smgh.organization_id,
        site: smgh.id,
        departments: faults
            .iter()
            .filter_map(|(c, f)| by_code(c).map(|id| (id, *f)))
            .collect(),
        requester: user_id("staff@demo.hmms").await?,
        manager: user_id("manager@demo.hmms").await?,
        technician: user_id("technician@demo.hmms").await?,
        vendor: user_id("vendor@demo.hmms").await?,
        vendor_company: user::Entity::find()
            .filter(user::Column::Email.eq("vendor@demo.hmms"))
            .one(db)
            .await?
            .and_then(|u| u.vendor_company_id),
        assets: assets::DemoAssets::default(),
    };
    let tx = state
        .begin_write()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let added_assets =
        assets::generate_scale(&*tx, smgh.organization_id, assets, state.clock.now()).await?;
    let cast = work_orders::Cast {
        assets: assets::DemoAssets::load(&*tx, smgh.organization_id).await?,
        ..cast
    };
    let added = work_orders::generate_bulk(&tx, &cast, work_orders, state.clock.now()).await?;
    let plans = scale_plans::generate(
        &tx,
        smgh.organization_id,
        cast.technician,
        pm_plans,
        pm_lead_days,
        state.clock.now(),
    )
    .await?;
    let (added_parts, added_entries) = scale_stock::generate(
        &*tx,
        smgh.organization_id,
        user_id("procurement@demo.hmms").await?,
        parts,
        stock_entries,
        state.clock.now(),
    )
    .await?;
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // Fresh statistics, so the query planner knows the tables' new size.
    state.db.execute_unprepared("ANALYZE").await?;
    Ok(Scale {
        assets: added_assets,
        work_orders: added,
        pm_plans: plans,
        pm_lead_days,
        parts: added_parts,
        stock_entries: added_entries,
    })
}
