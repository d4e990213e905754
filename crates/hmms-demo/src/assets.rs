//! About 400 demo assets: the equipment of a district referral hospital and a small district
//! hospital — ventilators, monitors, pumps, defibrillators, imaging, laboratory, sterilization
//! and plant — with plausible makes, costs, ages, risk and maintenance strategies, placed in the
//! rooms of their departments. Deterministic, like the rest of the demo.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use hmms_domain::assets::{AssetStatus, DepreciationMethod, MaintenanceStrategy, RiskClass};
use hmms_store::entities::{asset, asset_history, department, equipment_class, location, site};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

struct Kind {
    code: &'static str,
    name: &'static str,
    category: &'static str,
    /// Lower-case words in fault titles that name this kind of equipment.
    keyword: &'static str,
    makes: &'static [(&'static str, &'static str)],
    /// Purchase cost range, KES (major units).
    cost: (i64, i64),
    life: i32,
    life_support: bool,
    risk: RiskClass,
    /// Function, physical risk, maintenance, incident history.
    em: [i16; 4],
    strategy: MaintenanceStrategy,
    /// (site code, department code, how many)
    placement: &'static [(&'static str, &'static str, u32)],
}

const CATEGORIES: &[(&str, &str)] = &[
    ("LS", "Life support"),
    ("MON", "Patient monitoring"),
    ("THER", "Therapeutic equipment"),
    ("IMG", "Diagnostic imaging"),
    ("LABEQ", "Laboratory equipment"),
    ("STER", "Sterilization"),
    ("FURN", "Patient furniture"),
    ("PLANT", "Facility plant"),
];

const AEM_NOTE: &str = "Interval extended from 6 to 12 months: LED heads, no failures found at \
the last six inspections; approved by the medical equipment committee.";

const KINDS: &[Kind] = &[
    Kind {
        code: "VENT",
        name: "Ventilator",
        category: "LS",
        keyword: "ventilator",
        makes: &[
            ("Dräger", "Evita V500"),
            ("Hamilton Medical", "C6"),
            ("Mindray", "SV800"),
        ],
        cost: (3_500_000, 6_000_000),
        life: 10,
        life_support: true,
        risk: RiskClass::High,
        em: [10, 5, 5, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "ICU", 14), ("SMGH", "ED", 3), ("SMGH", "OT", 2)],
    },
    Kind {
        code: "DEFIB",
        name: "Defibrillator",
        category: "LS",
        keyword: "defibrillator",
        makes: &[
            ("Zoll", "R Series"),
            ("Philips", "HeartStart XL+"),
            ("Mindray", "BeneHeart D6"),
        ],
        cost: (800_000, 1_500_000),
        life: 8,
        life_support: true,
        risk: RiskClass::High,
        em: [9, 5, 4, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[
            ("SMGH", "ICU", 3),
            ("SMGH", "ED", 4),
            ("SMGH", "OT", 2),
            ("SMGH", "MAT", 2),
            ("SMGH", "MED", 2),
            ("LDH", "OPD", 1),
            ("LDH", "MAT", 1),
        ],
    },
    Kind {
        code: "ANAES",
        name: "Anaesthesia machine",
        category: "LS",
        keyword: "anaesthesia machine",
        makes: &[("GE Healthcare", "Aisys CS2"), ("Dräger", "Fabius plus")],
        cost: (4_000_000, 7_000_000),
        life: 10,
        life_support: true,
        risk: RiskClass::High,
        em: [10, 5, 5, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "OT", 6)],
    },
    Kind {
        code: "WARMER",
        name: "Infant warmer",
        category: "LS",
        keyword: "infant warmer",
        makes: &[
            ("Dräger", "Babytherm 8004"),
            ("GE Healthcare", "Panda iRes"),
        ],
        cost: (600_000, 1_200_000),
        life: 10,
        life_support: true,
        risk: RiskClass::High,
        em: [9, 4, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "ICU", 6), ("SMGH", "MAT", 6), ("LDH", "MAT", 2)],
    },
    Kind {
        code: "O2PLANT",
        name: "Oxygen PSA plant",
        category: "LS",
        keyword: "oxygen plant",
        makes: &[("Atlas Copco", "OGP+ 23"), ("Novair", "NOVA 30")],
        cost: (15_000_000, 25_000_000),
        life: 15,
        life_support: true,
        risk: RiskClass::High,
        em: [10, 5, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "EST", 1)],
    },
    Kind {
        code: "MONITOR",
        name: "Patient monitor",
        category: "MON",
        keyword: "patient monitor",
        makes: &[
            ("Philips", "IntelliVue MX450"),
            ("GE Healthcare", "Carescape B450"),
            ("Mindray", "ePM 12"),
        ],
        cost: (350_000, 800_000),
        life: 8,
        life_support: false,
        risk: RiskClass::Medium,
        em: [7, 4, 3, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[
            ("SMGH", "ICU", 30),
            ("SMGH", "ED", 10),
            ("SMGH", "OT", 8),
            ("SMGH", "MAT", 6),
            ("SMGH", "MED", 10),
            ("LDH", "OPD", 3),
        ],
    },
    Kind {
        code: "CTG",
        name: "CTG monitor",
        category: "MON",
        keyword: "ctg",
        makes: &[("Philips", "Avalon FM30"), ("Edan", "F9")],
        cost: (500_000, 900_000),
        life: 8,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 3, 3, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "MAT", 6), ("LDH", "MAT", 2)],
    },
    Kind {
        code: "ECG",
        name: "ECG machine",
        category: "MON",
        keyword: "ecg",
        makes: &[
            ("GE Healthcare", "MAC 2000"),
            ("Schiller", "Cardiovit AT-102 G2"),
        ],
        cost: (250_000, 500_000),
        life: 8,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 2, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "ED", 2), ("SMGH", "MED", 3), ("LDH", "OPD", 1)],
    },
    Kind {
        code: "INFPUMP",
        name: "Infusion pump",
        category: "THER",
        keyword: "infusion pump",
        makes: &[
            ("B. Braun", "Infusomat Space"),
            ("BD", "Alaris GP"),
            ("Mindray", "BeneFusion VP5"),
        ],
        cost: (150_000, 300_000),
        life: 7,
        life_support: false,
        risk: RiskClass::High,
        em: [8, 4, 3, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[
            ("SMGH", "ICU", 40),
            ("SMGH", "ED", 8),
            ("SMGH", "OT", 6),
            ("SMGH", "MAT", 6),
            ("SMGH", "MED", 20),
            ("LDH", "MAT", 2),
        ],
    },
    Kind {
        code: "SYRINGE",
        name: "Syringe driver",
        category: "THER",
        keyword: "syringe driver",
        makes: &[
            ("B. Braun", "Perfusor Space"),
            ("Fresenius Kabi", "Agilia SP"),
        ],
        cost: (120_000, 250_000),
        life: 7,
        life_support: false,
        risk: RiskClass::High,
        em: [8, 4, 3, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[
            ("SMGH", "ICU", 20),
            ("SMGH", "OT", 4),
            ("SMGH", "MAT", 4),
            ("SMGH", "MED", 6),
        ],
    },
    Kind {
        code: "SUCTION",
        name: "Suction unit",
        category: "THER",
        keyword: "suction",
        makes: &[("Medela", "Basic 30"), ("Atmos", "C 361")],
        cost: (80_000, 200_000),
        life: 8,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 3, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[
            ("SMGH", "ICU", 8),
            ("SMGH", "ED", 4),
            ("SMGH", "OT", 6),
            ("SMGH", "MAT", 4),
            ("SMGH", "MED", 4),
            ("LDH", "MAT", 1),
        ],
    },
    Kind {
        code: "ESU",
        name: "Electrosurgical unit",
        category: "THER",
        keyword: "diathermy",
        makes: &[("Medtronic", "Valleylab FT10"), ("Erbe", "VIO 300 D")],
        cost: (1_200_000, 2_000_000),
        life: 10,
        life_support: false,
        risk: RiskClass::High,
        em: [7, 4, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "OT", 4)],
    },
    Kind {
        code: "OTLIGHT",
        name: "Operating light",
        category: "THER",
        keyword: "operating light",
        makes: &[("Dräger", "Polaris 600"), ("Stryker", "Visum LED II")],
        cost: (800_000, 1_500_000),
        life: 15,
        life_support: false,
        risk: RiskClass::Medium,
        em: [5, 3, 2, 1],
        strategy: MaintenanceStrategy::AlternativeEquipmentMaintenance,
        placement: &[("SMGH", "OT", 6)],
    },
    Kind {
        code: "FLOWM",
        name: "Oxygen flowmeter",
        category: "THER",
        keyword: "oxygen flowmeter",
        makes: &[
            ("Precision Medical", "Easy Flow 1MFA"),
            ("Amico", "Flowmeter 0-15 L"),
        ],
        cost: (10_000, 25_000),
        life: 5,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 3, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "MED", 20), ("SMGH", "ICU", 10)],
    },
    Kind {
        code: "XRAY",
        name: "X-ray unit",
        category: "IMG",
        keyword: "x-ray",
        makes: &[
            ("Siemens Healthineers", "Multix Impact"),
            ("Philips", "DigitalDiagnost C90"),
        ],
        cost: (8_000_000, 15_000_000),
        life: 12,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 3, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "RAD", 3)],
    },
    Kind {
        code: "CT",
        name: "CT scanner",
        category: "IMG",
        keyword: "ct gantry",
        makes: &[
            ("GE Healthcare", "Revolution EVO"),
            ("Siemens Healthineers", "Somatom go.Up"),
        ],
        cost: (60_000_000, 90_000_000),
        life: 10,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 3, 5, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "RAD", 1)],
    },
    Kind {
        code: "US",
        name: "Ultrasound scanner",
        category: "IMG",
        keyword: "ultrasound",
        makes: &[("Mindray", "DC-70"), ("GE Healthcare", "Voluson E8")],
        cost: (2_000_000, 4_000_000),
        life: 8,
        life_support: false,
        risk: RiskClass::Medium,
        em: [6, 2, 3, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "RAD", 2), ("SMGH", "MAT", 2), ("LDH", "OPD", 1)],
    },
    Kind {
        code: "APRON",
        name: "Lead apron",
        category: "IMG",
        keyword: "lead apron",
        makes: &[("Infab", "Revolution"), ("Burlington", "Comfort")],
        cost: (20_000, 40_000),
        life: 5,
        life_support: false,
        risk: RiskClass::Low,
        em: [2, 2, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "RAD", 12)],
    },
    Kind {
        code: "CENTRIF",
        name: "Centrifuge",
        category: "LABEQ",
        keyword: "centrifuge",
        makes: &[("Hettich", "Rotina 380"), ("Eppendorf", "5810")],
        cost: (300_000, 600_000),
        life: 10,
        life_support: false,
        risk: RiskClass::Low,
        em: [3, 2, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "LAB", 4)],
    },
    Kind {
        code: "HAEM",
        name: "Haematology analyser",
        category: "LABEQ",
        keyword: "analyser",
        makes: &[("Sysmex", "XN-550"), ("Mindray", "BC-6200")],
        cost: (3_000_000, 5_000_000),
        life: 8,
        life_support: false,
        risk: RiskClass::Medium,
        em: [4, 2, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "LAB", 3)],
    },
    Kind {
        code: "FRIDGE",
        name: "Laboratory refrigerator",
        category: "LABEQ",
        keyword: "fridge",
        makes: &[("Helmer", "iB111"), ("Dometic", "MB 170")],
        cost: (200_000, 600_000),
        life: 10,
        life_support: false,
        risk: RiskClass::Medium,
        em: [5, 3, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "LAB", 4), ("LDH", "OPD", 1)],
    },
    Kind {
        code: "BSC",
        name: "Biosafety cabinet",
        category: "LABEQ",
        keyword: "biosafety cabinet",
        makes: &[("Esco", "Airstream Class II")],
        cost: (600_000, 1_000_000),
        life: 12,
        life_support: false,
        risk: RiskClass::Medium,
        em: [4, 3, 3, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "LAB", 2)],
    },
    Kind {
        code: "AUTOCL",
        name: "Autoclave",
        category: "STER",
        keyword: "autoclave",
        makes: &[("Tuttnauer", "3870ELV"), ("Getinge", "HS33")],
        cost: (1_500_000, 3_000_000),
        life: 15,
        life_support: false,
        risk: RiskClass::Medium,
        em: [4, 3, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "OT", 2), ("LDH", "EST", 1)],
    },
    Kind {
        code: "ICUBED",
        name: "ICU bed",
        category: "FURN",
        keyword: "bed motor",
        makes: &[("Hill-Rom", "Progressa"), ("Linet", "Multicare")],
        cost: (400_000, 900_000),
        life: 10,
        life_support: false,
        risk: RiskClass::Medium,
        em: [5, 3, 3, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "ICU", 14)],
    },
    Kind {
        code: "WARDBED",
        name: "Ward bed",
        category: "FURN",
        keyword: "ward bed",
        makes: &[("Linet", "Eleganza 1"), ("Medline", "Manual 3-crank")],
        cost: (60_000, 150_000),
        life: 10,
        life_support: false,
        risk: RiskClass::Low,
        em: [2, 2, 1, 1],
        strategy: MaintenanceStrategy::RunToFail,
        placement: &[("SMGH", "MED", 40), ("LDH", "OPD", 4)],
    },
    Kind {
        code: "DELBED",
        name: "Delivery bed",
        category: "FURN",
        keyword: "delivery bed",
        makes: &[("Linet", "Ave 2")],
        cost: (400_000, 800_000),
        life: 12,
        life_support: false,
        risk: RiskClass::Low,
        em: [4, 2, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "MAT", 4), ("LDH", "MAT", 2)],
    },
    Kind {
        code: "TROLLEY",
        name: "Emergency trolley",
        category: "FURN",
        keyword: "trolley",
        makes: &[("Stryker", "Prime"), ("Hill-Rom", "Transport stretcher")],
        cost: (50_000, 100_000),
        life: 10,
        life_support: false,
        risk: RiskClass::Low,
        em: [2, 2, 1, 1],
        strategy: MaintenanceStrategy::RunToFail,
        placement: &[("SMGH", "ED", 8)],
    },
    Kind {
        code: "NCALL",
        name: "Nurse call panel",
        category: "PLANT",
        keyword: "nurse call",
        makes: &[("Ascom", "telligence")],
        cost: (300_000, 500_000),
        life: 12,
        life_support: false,
        risk: RiskClass::Medium,
        em: [4, 3, 2, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "MED", 2)],
    },
    Kind {
        code: "GENSET",
        name: "Standby generator",
        category: "PLANT",
        keyword: "generator",
        makes: &[("Cummins", "C500 D5"), ("Caterpillar", "DE550")],
        cost: (4_000_000, 8_000_000),
        life: 20,
        life_support: false,
        risk: RiskClass::High,
        em: [6, 5, 4, 2],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "EST", 2), ("LDH", "EST", 1)],
    },
    Kind {
        code: "AHU",
        name: "Theatre air handling unit",
        category: "PLANT",
        keyword: "theatre ac",
        makes: &[("Carrier", "39HQ"), ("Daikin", "D-AHU Professional")],
        cost: (3_000_000, 6_000_000),
        life: 15,
        life_support: false,
        risk: RiskClass::Medium,
        em: [5, 3, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "OT", 2)],
    },
    Kind {
        code: "PUMP",
        name: "Water booster pump",
        category: "PLANT",
        keyword: "water pressure",
        makes: &[("Grundfos", "Hydro MPC-E")],
        cost: (500_000, 900_000),
        life: 15,
        life_support: false,
        risk: RiskClass::Medium,
        em: [3, 2, 3, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "EST", 3)],
    },
    Kind {
        code: "LIFT",
        name: "Bed lift",
        category: "PLANT",
        keyword: "lift",
        makes: &[("Schindler", "5500"), ("Otis", "Gen2")],
        cost: (6_000_000, 9_000_000),
        life: 25,
        life_support: false,
        risk: RiskClass::High,
        em: [5, 4, 4, 1],
        strategy: MaintenanceStrategy::Manufacturer,
        placement: &[("SMGH", "EST", 2)],
    },
];

/// The demo's assets by department, with the fault words of their kind, for work orders.
#[derive(Default)]
pub struct DemoAssets {
    /// Per department: each keyword with the assets it names.
    by_department: HashMap<Uuid, Vec<(&'static str, Vec<Uuid>)>>,
}

impl DemoAssets {
    /// An asset of `department` that a fault titled `title` is about, if the demo has one.
    pub fn pick(&self, department: Uuid, title: &str, n: u64) -> Option<Uuid> {
        let title = title.to_lowercase();
        let matching: Vec<&Vec<Uuid>> = self
            .by_department
            .get(&department)?
            .iter()
            .filter(|(kw, _)| title.contains(kw))
            .map(|(_, ids)| ids)
            .collect();
        let total: usize = matching.iter().map(|ids| ids.len()).sum();
        if total == 0 {
            return None;
        }
        let mut i = (n % total as u64) as usize;
        for ids in matching {
            if i < ids.len() {
                return Some(ids[i]);
            }
            i -= ids.len();
        }
        None
    }

    fn add(&mut self, department: Uuid, keyword: &'static str, id: Uuid) {
        let kinds = self.by_department.entry(department).or_default();
        match kinds.iter_mut().find(|(kw, _)| *kw == keyword) {
            Some((_, ids)) => ids.push(id),
            None => kinds.push((keyword, vec![id])),
        }
    }
}

impl DemoAssets {
    /// The demo's assets as stored (for `demo --scale` on an existing demo).
    pub async fn load(db: &impl ConnectionTrait, org: Uuid) -> anyhow::Result<Self> {
        let keyword: HashMap<Uuid, &'static str> = equipment_class::Entity::find()
            .filter(equipment_class::Column::OrganizationId.eq(org))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|c| {
                KINDS
                    .iter()
                    .find(|k| k.code == c.code)
                    .map(|k| (c.id, k.keyword))
            })
            .collect();
        let mut out = Self::default();
        for a in asset::Entity::find()
            .filter(asset::Column::OrganizationId.eq(org))
            .order_by_asc(asset::Column::Id)
            .all(db)
            .await?
        {
            if let (Some(d), Some(kw)) = (a.department_id, a.class_id.and_then(|c| keyword.get(&c)))
            {
                out.add(d, kw, a.id);
            }
        }
        Ok(out)
    }
}

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// What the generator needs to know of the organization's places.
struct Places {
    sites: HashMap<String, Uuid>,
    departments: HashMap<(Uuid, String), Uuid>,
    rooms: HashMap<Uuid, Vec<Uuid>>,
}

impl Places {
    async fn load(db: &impl ConnectionTrait, org: Uuid) -> anyhow::Result<Self> {
        let sites = site::Entity::find()
            .filter(site::Column::OrganizationId.eq(org))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.code, s.id))
            .collect();
        let departments = department::Entity::find()
            .filter(department::Column::OrganizationId.eq(org))
            .all(db)
            .await?
            .into_iter()
            .map(|d| ((d.site_id, d.code), d.id))
            .collect();
        let mut rooms: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for l in location::Entity::find()
            .filter(location::Column::OrganizationId.eq(org))
            .all(db)
            .await?
        {
            if let (Some(d), "room" | "area") = (l.department_id, l.kind.key()) {
                rooms.entry(d).or_default().push(l.id);
            }
        }
        Ok(Self {
            sites,
            departments,
            rooms,
        })
    }
}

/// One generated asset and the history line that registers it.
struct Made {
    asset: asset::ActiveModel,
    history: asset_history::ActiveModel,
}

/// A plausible asset of kind `k` in `dept_code` at `site_code`, tagged `tag`.
#[allow(clippy::too_many_arguments)]
fn make_asset(
    org: Uuid,
    places: &Places,
    k: &Kind,
    (site_code, dept_code): (&str, &str),
    tag: String,
    class_id: Uuid,
    service_vendor: Option<Uuid>,
    rng: &mut Lcg,
    now: DateTime<Utc>,
) -> Option<(Uuid, Made)> {
    let site_id = *places.sites.get(site_code)?;
    let dept = *places.departments.get(&(site_id, dept_code.to_string()))?;
    let id = Uuid::now_v7();
    let (make, model) = k.makes[rng.below(k.makes.len() as u64) as usize];
    let age_days = 60 + rng.below(11 * 365) as i64;
    let bought = (now - Duration::days(age_days)).date_naive();
    let commissioned = bought + Duration::days(14 + rng.below(30) as i64);
    let cost = k.cost.0 + rng.below((k.cost.1 - k.cost.0) as u64 + 1) as i64;
    // Older equipment breaks more: a few are down or retired.
    let status = match (age_days > (k.life as i64) * 365, rng.below(40)) {
        (true, 0..=5) => AssetStatus::Retired,
        (_, 0) => AssetStatus::OutOfService,
        (_, 1) => AssetStatus::UnderMaintenance,
        _ => AssetStatus::InService,
    };
    let place = places.rooms.get(&dept).filter(|r| !r.is_empty());
    let location_id = place.map(|r| r[rng.below(r.len() as u64) as usize]);
    // Imaging and laboratory analysers are under a service contract with the demo contractor.
    let contracted = matches!(k.category, "IMG" | "LABEQ") && k.cost.0 >= 2_000_000;
    let asset = asset::ActiveModel {
        id: Set(id),
        organization_id: Set(org),
        site_id: Set(site_id),
        department_id: Set(Some(dept)),
        location_id: Set(location_id),
        parent_id: Set(None),
        class_id: Set(Some(class_id)),
        tag: Set(tag),
        name: Set(k.name.into()),
        make: Set(Some(make.into())),
        model: Set(Some(model.into())),
        serial_number: Set(Some(format!(
            "{}{:06}",
            &make[..2].to_uppercase(),
            rng.below(1_000_000)
        ))),
        status: Set(status),
        installed_on: Set(Some(commissioned)),
        commissioned_on: Set(Some(commissioned)),
        warranty_end: Set(Some(commissioned + Duration::days(2 * 365))),
        purchase_date: Set(Some(bought)),
        purchase_cost_minor: Set(Some(cost * 100)),
        replacement_cost_minor: Set(Some(cost * 115)),
        expected_life_years: Set(Some(k.life)),
        salvage_value_minor: Set(Some(cost * 10)),
        depreciation_method: Set(if cost >= 1_000_000 {
            DepreciationMethod::DecliningBalance
        } else {
            DepreciationMethod::StraightLine
        }),
        supplier: Set(Some(format!("{make} East Africa"))),
        service_vendor_id: Set(service_vendor.filter(|_| contracted)),
        service_contract_end: Set(
            contracted.then(|| (now + Duration::days(200 + rng.below(500) as i64)).date_naive())
        ),
        life_support: Set(k.life_support),
        risk_class: Set(k.risk),
        em_function: Set(Some(k.em[0])),
        em_physical_risk: Set(Some(k.em[1])),
        em_maintenance: Set(Some(k.em[2])),
        em_incident_history: Set(Some(k.em[3])),
        maintenance_strategy: Set(k.strategy),
        strategy_justification: Set((k.strategy
            == MaintenanceStrategy::AlternativeEquipmentMaintenance)
            .then(|| AEM_NOTE.to_string())),
        notes: Set(None),
        custom_values: Set("{}".into()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    };
    let history = asset_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        asset_id: Set(id),
        kind: Set("registered".into()),
        from_status: Set(None),
        to_status: Set(Some(status.key().into())),
        detail: Set(serde_json::json!({ "reason": "Commissioned" }).to_string()),
        actor_id: Set(None),
        // Its story starts when it entered service.
        created_at: Set(commissioned
            .and_time(chrono::NaiveTime::MIN + Duration::hours(8))
            .and_utc()
            .min(now)),
    };
    Some((dept, Made { asset, history }))
}

async fn insert_made(db: &impl ConnectionTrait, made: Vec<Made>) -> anyhow::Result<()> {
    let (rows, history): (Vec<_>, Vec<_>) = made.into_iter().map(|m| (m.asset, m.history)).unzip();
    // SQLite binds at most 32,766 values per statement: 200 rows × 40 columns stays below.
    for chunk in rows.chunks(200) {
        asset::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in history.chunks(500) {
        asset_history::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

pub async fn generate(
    db: &impl ConnectionTrait,
    org: Uuid,
    service_vendor: Option<Uuid>,
    now: DateTime<Utc>,
) -> anyhow::Result<(usize, DemoAssets)> {
    let mut rng = Lcg(400);
    let places = Places::load(db, org).await?;
    let mut classes: HashMap<&str, Uuid> = HashMap::new();
    let mut class_rows = vec![];
    for (code, name) in CATEGORIES {
        let id = Uuid::now_v7();
        classes.insert(code, id);
        class_rows.push(class_row(org, id, None, code, name, now));
    }
    for k in KINDS {
        let id = Uuid::now_v7();
        classes.insert(k.code, id);
        class_rows.push(class_row(
            org,
            id,
            Some(classes[k.category]),
            k.code,
            k.name,
            now,
        ));
    }
    equipment_class::Entity::insert_many(class_rows)
        .exec_without_returning(db)
        .await?;

    let mut out = DemoAssets::default();
    let mut made = vec![];
    for k in KINDS {
        for (site_code, dept_code, count) in k.placement {
            for n in 1..=*count {
                let tag = format!("{site_code}-{dept_code}-{}-{n:03}", k.code);
                let (dept, m) = make_asset(
                    org,
                    &places,
                    k,
                    (site_code, dept_code),
                    tag,
                    classes[k.code],
                    service_vendor,
                    &mut rng,
                    now,
                )
                .ok_or_else(|| anyhow::anyhow!("the demo has no {site_code} {dept_code}"))?;
                out.add(dept, k.keyword, *m.asset.id.as_ref());
                made.push(m);
            }
        }
    }
    let count = made.len();
    insert_made(db, made).await?;
    Ok((count, out))
}

/// Adds `n` more assets for benchmarks (`demo --scale --assets`): the demo's kinds in the
/// demo's proportions and departments, tagged `…-S000001` onwards, written in batches.
pub async fn generate_scale(
    db: &impl ConnectionTrait,
    org: Uuid,
    n: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut rng = Lcg(4242);
    let places = Places::load(db, org).await?;
    let classes: HashMap<String, Uuid> = equipment_class::Entity::find()
        .filter(equipment_class::Column::OrganizationId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    // Every (kind, place) slot, repeated as often as the demo has that many of it.
    let slots: Vec<(&Kind, &str, &str)> = KINDS
        .iter()
        .flat_map(|k| {
            k.placement
                .iter()
                .flat_map(move |(s, d, count)| std::iter::repeat_n((k, *s, *d), *count as usize))
        })
        .filter(|(k, _, _)| classes.contains_key(k.code))
        .collect();
    anyhow::ensure!(
        !slots.is_empty(),
        "the demo's equipment classes are missing"
    );
    // Numbering continues after what is there, so repeated runs never clash on a tag.
    let first = asset::Entity::find()
        .filter(asset::Column::OrganizationId.eq(org))
        .count(db)
        .await? as usize;
    let mut made = vec![];
    let mut added = 0;
    for i in 0..n {
        let (k, site_code, dept_code) = slots[i % slots.len()];
        let tag = format!("{site_code}-{dept_code}-{}-S{:06}", k.code, first + i + 1);
        if let Some((_, m)) = make_asset(
            org,
            &places,
            k,
            (site_code, dept_code),
            tag,
            classes[k.code],
            None,
            &mut rng,
            now,
        ) {
            made.push(m);
            added += 1;
        }
        if made.len() == 5_000 {
            insert_made(db, std::mem::take(&mut made)).await?;
        }
    }
    insert_made(db, made).await?;
    Ok(added)
}

fn class_row(
    org: Uuid,
    id: Uuid,
    parent: Option<Uuid>,
    code: &str,
    name: &str,
    now: DateTime<Utc>,
) -> equipment_class::ActiveModel {
    equipment_class::ActiveModel {
        id: Set(id),
        organization_id: Set(org),
        parent_id: Set(parent),
        code: Set(code.into()),
        name: Set(name.into()),
        nomenclature_code: Set(None),
        custom_fields: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
}
