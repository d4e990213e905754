//! The demo's stores: 216 spare parts, three stores (St. Mary's main store and its ICU
//! satellite, Lakeside's main store) and a year of stock movements posted through the server's
//! one ledger writer — opening receipts, parts issued to the demo's completed repairs,
//! replenishments after the lead time, transfers to the ICU, write-offs and a count — so on-hand,
//! value and the low-stock list are what that year would have left.

use chrono::{DateTime, Duration, Utc};
use hmms_domain::stock::{MovementKind, SCALE, StoreKind, value_at};
use hmms_domain::work_orders::{Status, WorkOrderType};
use hmms_server::audit::Who;
use hmms_server::modules::inventory::{Leg, LegFlow, Posting, Shortfall, post, record_stock_out};
use hmms_server::state::WriteTx;
use hmms_store::entities::{part, stock_bin, stock_level, store, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;
use uuid::Uuid;

use crate::work_orders::Lcg;

/// (category, part-number prefix, name, unit, decimals, unit cost in minor units, critical,
/// variants). Each variant is one part.
type Family = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i16,
    i64,
    bool,
    &'static [&'static str],
);

#[rustfmt::skip]
const FAMILIES: &[Family] = &[
    ("Ventilator", "VNT", "Exhalation valve", "each", 0, 450_000, true, &["Hamilton C1", "Dräger Savina", "Mindray SV300"]),
    ("Ventilator", "VNT", "Flow sensor", "each", 0, 820_000, true, &["Hamilton adult", "Hamilton paediatric", "Dräger Spirolog", "Mindray SV300"]),
    ("Ventilator", "VNT", "Oxygen cell", "each", 0, 1_250_000, true, &["Hamilton C1", "Dräger Savina", "Mindray SV300"]),
    ("Ventilator", "VNT", "Bacterial/viral filter", "each", 0, 35_000, true, &["adult", "paediatric"]),
    ("Ventilator", "VNT", "Patient circuit", "each", 0, 180_000, true, &["adult, heated", "paediatric, heated", "neonatal"]),
    ("Ventilator", "VNT", "Internal battery", "each", 0, 2_400_000, true, &["Hamilton C1", "Dräger Savina"]),
    ("Infusion", "INF", "Door latch assembly", "each", 0, 260_000, false, &["Braun Infusomat", "Fresenius Volumat", "Mindray BeneFusion"]),
    ("Infusion", "INF", "Pressure sensor board", "each", 0, 980_000, false, &["Braun Infusomat", "Fresenius Volumat"]),
    ("Infusion", "INF", "Battery pack", "each", 0, 640_000, false, &["Braun Infusomat", "Fresenius Volumat", "Mindray BeneFusion", "Mindray syringe pump"]),
    ("Infusion", "INF", "Keypad membrane", "each", 0, 210_000, false, &["Braun Infusomat", "Mindray BeneFusion"]),
    ("Monitoring", "MON", "SpO2 sensor", "each", 0, 220_000, true, &["adult reusable", "paediatric reusable", "neonatal wrap", "adult disposable"]),
    ("Monitoring", "MON", "NIBP cuff", "each", 0, 65_000, false, &["adult small", "adult", "adult large", "thigh", "child", "infant", "neonatal"]),
    ("Monitoring", "MON", "ECG trunk cable", "each", 0, 310_000, false, &["3-lead", "5-lead", "12-lead"]),
    ("Monitoring", "MON", "ECG lead set", "each", 0, 145_000, false, &["3-lead clip", "5-lead clip", "5-lead snap"]),
    ("Monitoring", "MON", "Temperature probe", "each", 0, 90_000, false, &["skin", "oesophageal/rectal"]),
    ("Monitoring", "MON", "NIBP hose", "each", 0, 40_000, false, &["adult 3 m", "neonatal 3 m"]),
    ("Monitoring", "MON", "Monitor battery", "each", 0, 520_000, false, &["Mindray iPM", "Philips MX450", "Edan iM8"]),
    ("Defibrillator", "DEF", "Defibrillator pads", "pair", 0, 320_000, true, &["adult", "paediatric"]),
    ("Defibrillator", "DEF", "Paddle set", "each", 0, 2_100_000, true, &["external adult", "internal"]),
    ("Defibrillator", "DEF", "Defibrillator battery", "each", 0, 1_450_000, true, &["Zoll R Series", "Philips HeartStart XL", "Mindray BeneHeart"]),
    ("Defibrillator", "DEF", "Recorder paper", "roll", 0, 18_000, false, &["50 mm", "80 mm"]),
    ("Anaesthesia", "ANA", "Vaporiser O-ring kit", "kit", 0, 75_000, true, &["Tec 7", "Dräger Vapor 2000"]),
    ("Anaesthesia", "ANA", "CO2 absorbent", "kg", 1, 60_000, false, &["soda lime, 5 kg"]),
    ("Anaesthesia", "ANA", "Breathing bag", "each", 0, 42_000, false, &["0.5 l", "1 l", "2 l", "3 l"]),
    ("Anaesthesia", "ANA", "Bellows", "each", 0, 380_000, true, &["adult", "paediatric"]),
    ("Suction", "SUC", "Suction canister", "each", 0, 38_000, false, &["1 l", "2 l", "3 l"]),
    ("Suction", "SUC", "Suction regulator gauge", "each", 0, 160_000, false, &["wall, high", "wall, low"]),
    ("Suction", "SUC", "Overflow filter", "each", 0, 12_000, false, &["hydrophobic"]),
    ("Theatre", "OT", "Diathermy pencil", "each", 0, 28_000, false, &["hand switch", "foot switch"]),
    ("Theatre", "OT", "Diathermy return plate", "each", 0, 22_000, false, &["adult", "paediatric", "neonatal"]),
    ("Theatre", "OT", "Operating light bulb", "each", 0, 95_000, false, &["halogen 22.8 V 50 W", "halogen 24 V 150 W"]),
    ("Theatre", "OT", "Table hydraulic seal kit", "kit", 0, 210_000, false, &["Maquet", "Mindray HyBase"]),
    ("Sterilisation", "STE", "Autoclave door gasket", "each", 0, 340_000, false, &["Tuttnauer 3870", "Getinge HS33", "bench-top 23 l"]),
    ("Sterilisation", "STE", "Heating element", "each", 0, 760_000, false, &["Tuttnauer 3870", "bench-top 23 l"]),
    ("Sterilisation", "STE", "Bowie-Dick test pack", "each", 0, 15_000, false, &["standard"]),
    ("Laboratory", "LAB", "Centrifuge brush set", "set", 0, 55_000, false, &["Hettich EBA", "Eppendorf 5702"]),
    ("Laboratory", "LAB", "Analyser lamp", "each", 0, 480_000, false, &["Mindray BS-240", "Sysmex XN"]),
    ("Laboratory", "LAB", "Peristaltic pump tubing", "each", 0, 130_000, false, &["Mindray BS-240", "Sysmex XN", "Cobas c111"]),
    ("Laboratory", "LAB", "Microscope bulb", "each", 0, 25_000, false, &["halogen 6 V 20 W", "LED module"]),
    ("Imaging", "IMG", "X-ray tube cooling oil", "l", 2, 120_000, false, &["transformer grade"]),
    ("Imaging", "IMG", "Cassette", "each", 0, 850_000, false, &["35×43 cm", "24×30 cm"]),
    ("Imaging", "IMG", "Ultrasound probe cover", "each", 0, 3_500, false, &["linear", "convex", "endocavity"]),
    ("Imaging", "IMG", "Thermal printer paper", "roll", 0, 140_000, false, &["UPP-110S", "UPP-110HG"]),
    ("Maternity", "MAT", "Fetal monitor transducer", "each", 0, 1_800_000, true, &["ultrasound", "TOCO"]),
    ("Maternity", "MAT", "Infant warmer heater", "each", 0, 950_000, true, &["radiant, 600 W"]),
    ("Maternity", "MAT", "Incubator fan motor", "each", 0, 620_000, true, &["Dräger Caleo", "Atom V-2100"]),
    ("Maternity", "MAT", "Incubator door seal", "each", 0, 85_000, false, &["porthole", "front panel"]),
    ("Dental", "DEN", "Handpiece O-ring", "pack", 0, 9_000, false, &["standard"]),
    ("Electrical", "ELE", "LED tube", "each", 0, 45_000, false, &["T8 600 mm 9 W", "T8 1200 mm 18 W", "T8 1500 mm 24 W"]),
    ("Electrical", "ELE", "LED panel", "each", 0, 280_000, false, &["600×600 40 W", "300×1200 40 W"]),
    ("Electrical", "ELE", "Circuit breaker", "each", 0, 65_000, false, &["MCB 6 A", "MCB 10 A", "MCB 16 A", "MCB 20 A", "MCB 32 A", "RCBO 16 A 30 mA", "RCBO 32 A 30 mA"]),
    ("Electrical", "ELE", "Socket outlet", "each", 0, 38_000, false, &["13 A single", "13 A twin", "13 A twin, red (essential supply)"]),
    ("Electrical", "ELE", "Cable", "m", 1, 18_000, false, &["1.5 mm² twin and earth", "2.5 mm² twin and earth", "4 mm² single", "6 mm² single", "10 mm² single"]),
    ("Electrical", "ELE", "Cartridge fuse", "each", 0, 4_500, false, &["3 A", "5 A", "13 A", "20 A", "32 A"]),
    ("Electrical", "ELE", "Emergency light battery", "each", 0, 95_000, false, &["3.6 V NiCd", "6 V SLA"]),
    ("Electrical", "ELE", "Contactor", "each", 0, 420_000, false, &["25 A 3-pole", "40 A 3-pole"]),
    ("Power", "PWR", "UPS battery", "each", 0, 1_100_000, true, &["12 V 7 Ah", "12 V 9 Ah", "12 V 18 Ah", "12 V 100 Ah"]),
    ("Power", "PWR", "Generator oil filter", "each", 0, 160_000, true, &["Perkins 400 kVA", "Cummins 250 kVA"]),
    ("Power", "PWR", "Generator fuel filter", "each", 0, 140_000, true, &["Perkins 400 kVA", "Cummins 250 kVA"]),
    ("Power", "PWR", "Generator air filter", "each", 0, 390_000, true, &["Perkins 400 kVA", "Cummins 250 kVA"]),
    ("Power", "PWR", "Engine oil", "l", 1, 95_000, true, &["15W-40"]),
    ("Power", "PWR", "Coolant", "l", 1, 55_000, false, &["ready mixed"]),
    ("Power", "PWR", "Starter battery", "each", 0, 1_650_000, true, &["12 V 200 Ah"]),
    ("HVAC", "HVC", "Air filter", "each", 0, 85_000, false, &["G4 595×595", "F7 bag 592×592", "HEPA H14 610×610"]),
    ("HVAC", "HVC", "Fan belt", "each", 0, 48_000, false, &["A42", "A48", "B52", "B60"]),
    ("HVAC", "HVC", "Refrigerant", "kg", 1, 250_000, false, &["R410A", "R32"]),
    ("HVAC", "HVC", "Split unit capacitor", "each", 0, 35_000, false, &["35 µF", "45 µF"]),
    ("Plumbing", "PLB", "Tap washer", "pack", 0, 6_000, false, &["½ inch", "¾ inch"]),
    ("Plumbing", "PLB", "Elbow-action tap", "each", 0, 420_000, false, &["single", "mixer"]),
    ("Plumbing", "PLB", "PPR pipe", "m", 1, 30_000, false, &["20 mm", "25 mm", "32 mm"]),
    ("Plumbing", "PLB", "Gate valve", "each", 0, 120_000, false, &["½ inch", "¾ inch", "1 inch", "2 inch"]),
    ("Plumbing", "PLB", "Float valve", "each", 0, 95_000, false, &["½ inch", "1 inch"]),
    ("Plumbing", "PLB", "Toilet cistern kit", "kit", 0, 110_000, false, &["dual flush"]),
    ("Medical gases", "GAS", "Flowmeter", "each", 0, 450_000, true, &["O2 0–15 l/min", "O2 0–1 l/min (neonatal)", "air 0–15 l/min"]),
    ("Medical gases", "GAS", "Humidifier bottle", "each", 0, 60_000, false, &["reusable", "disposable"]),
    ("Medical gases", "GAS", "Gas outlet service kit", "kit", 0, 180_000, true, &["O2 BS 5682", "vacuum BS 5682", "air BS 5682"]),
    ("Medical gases", "GAS", "Cylinder regulator", "each", 0, 850_000, true, &["O2 pin-index", "O2 bullnose"]),
    ("Medical gases", "GAS", "Oxygen concentrator sieve bed", "pair", 0, 1_200_000, true, &["5 l/min", "10 l/min"]),
    ("General", "GEN", "Battery", "each", 0, 6_000, false, &["AA", "AAA", "C", "D", "9 V", "CR2032", "CR2450"]),
    ("General", "GEN", "Cable ties", "pack", 0, 25_000, false, &["200 mm", "300 mm"]),
    ("General", "GEN", "Contact cleaner", "can", 0, 75_000, false, &["400 ml"]),
    ("General", "GEN", "Isopropyl alcohol", "l", 2, 90_000, false, &["99%"]),
    ("General", "GEN", "Silicone grease", "tube", 0, 55_000, false, &["medical grade, 50 g"]),
    ("General", "GEN", "Heat-shrink tubing", "m", 1, 8_000, false, &["3 mm", "6 mm", "12 mm"]),
    ("General", "GEN", "Castor wheel", "each", 0, 70_000, false, &["75 mm braked", "100 mm braked", "125 mm swivel"]),
    ("General", "GEN", "Mains lead", "each", 0, 40_000, false, &["IEC C13 1.8 m", "IEC C5 1.8 m", "IEC C7 1.8 m"]),
];

/// What the demo's year of stock left.
#[derive(Debug, Default)]
pub struct Stores {
    pub parts: usize,
    pub movements: usize,
    /// Issues the bins could not fill.
    pub stock_outs: usize,
}

pub struct People {
    pub organization: Uuid,
    pub store_keeper: Uuid,
    pub technician: Uuid,
}

struct Bin {
    store: Uuid,
    bin: Uuid,
}

/// The catalogue, stores and a year of movements, oldest first so the ledger reads in order.
pub async fn generate(
    tx: &WriteTx,
    people: &People,
    smgh: Uuid,
    ldh: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<Stores> {
    let org = people.organization;
    let year_ago = now - Duration::days(365);
    let mut rng = Lcg(16);

    // The catalogue.
    let mut parts = Vec::new();
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    for (category, prefix, name, unit, decimals, cost, critical, variants) in FAMILIES {
        for (i, variant) in variants.iter().enumerate() {
            let n = numbers.entry(prefix).or_default();
            *n += 1;
            let p = part::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                part_number: Set(format!("{prefix}-{:04}", *n)),
                name: Set(format!("{name}, {variant}")),
                category: Set(Some((*category).into())),
                unit: Set((*unit).into()),
                decimals: Set(*decimals),
                manufacturer: Set(None),
                manufacturer_part_number: Set(None),
                description: Set(None),
                critical: Set(*critical),
                active: Set(true),
                created_at: Set(year_ago),
                updated_at: Set(year_ago),
                version: Set(1),
            }
            .insert(&**tx)
            .await?;
            // Variants of one family differ a little in price.
            let unit_cost = cost + cost * i as i64 / 10;
            parts.push((p, unit_cost));
        }
    }

    // Stores and bins.
    let smgh_main = new_store(
        tx,
        org,
        smgh,
        "SMGH-MAIN",
        "St. Mary's Main Store",
        StoreKind::Main,
        &[
            "A-01", "A-02", "A-03", "A-04", "B-01", "B-02", "B-03", "B-04", "C-01", "C-02",
        ],
        year_ago,
    )
    .await?;
    let icu = new_store(
        tx,
        org,
        smgh,
        "SMGH-ICU",
        "ICU Satellite Store",
        StoreKind::Satellite,
        &["S-01", "S-02"],
        year_ago,
    )
    .await?;
    let ldh_main = new_store(
        tx,
        org,
        ldh,
        "LDH-MAIN",
        "Lakeside Main Store",
        StoreKind::Main,
        &["A-01", "A-02", "A-03"],
        year_ago,
    )
    .await?;

    let keeper = people.store_keeper;
    let meta = hmms_server::auth::principal::Meta {
        ip: None,
        user_agent: Some("hmms demo".into()),
        request_id: None,
    };
    let mut movements = 0usize;
    let mut stock_outs = 0usize;
    let mut recent_outs = 0usize;
    let mut on_hand: HashMap<(Uuid, Uuid), i64> = HashMap::new();
    // Posts one movement as `actor` at `at`, keeping our copy of on-hand per part and bin.
    macro_rules! post {
        ($part:expr, $legs:expr, $at:expr, $actor:expr, $action:expr, $work:expr, $reason:expr, $reference:expr) => {{
            let who = Who { organization_id: Some(org), actor_id: Some($actor), meta: &meta };
            let entries = post(
                tx,
                $at,
                &who,
                Posting {
                    part: $part,
                    legs: $legs,
                    work_order: $work,
                    reverses: None,
                    reason: $reason,
                    reference: $reference,
                    note: None,
                    action: $action,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            for e in &entries {
                on_hand.insert((e.part_id, e.bin_id), e.on_hand_after);
            }
            movements += 1;
        }};
    }
    let receipt = |b: &Bin, quantity: i64, unit_cost: i64| -> Vec<Leg> {
        vec![Leg {
            kind: MovementKind::Receipt,
            bin: b.bin,
            store: b.store,
            flow: LegFlow::In {
                quantity,
                value: value_at(quantity, unit_cost),
            },
            unit_cost: Some(unit_cost),
        }]
    };
    let out = |kind: MovementKind, b: &Bin, quantity: i64| -> Vec<Leg> {
        vec![Leg {
            kind,
            bin: b.bin,
            store: b.store,
            flow: LegFlow::Out { quantity },
            unit_cost: None,
        }]
    };

    // Opening stock a year ago, with reorder levels: every part at St. Mary's main store, one in
    // three at Lakeside, critical ventilator and monitoring spares also on the ICU's shelf.
    let mut levels: HashMap<(Uuid, Uuid), (i64, i64)> = HashMap::new();
    for (i, (p, cost)) in parts.iter().enumerate() {
        let units = |base: u64, rng: &mut Lcg| -> i64 {
            let n = (base + rng.below(base * 2)) as i64;
            if p.decimals > 0 {
                n * 10 * SCALE
            } else {
                n * SCALE
            }
        };
        let at = year_ago + Duration::minutes(i as i64);
        let main_bin = &smgh_main[i % smgh_main.len()];
        let opening = units(6, &mut rng);
        let reference = Some("Opening balance".to_string());
        post!(
            p,
            receipt(main_bin, opening, *cost),
            at,
            keeper,
            "stock.received",
            None,
            None,
            reference.clone()
        );
        let point = (opening / 4 / SCALE).max(1) * SCALE;
        set_level(tx, org, p.id, main_bin.store, point, opening, year_ago).await?;
        levels.insert((p.id, main_bin.store), (point, opening));
        if i % 3 == 0 {
            let b = &ldh_main[i % ldh_main.len()];
            let q = units(2, &mut rng);
            post!(
                p,
                receipt(b, q, *cost),
                at,
                keeper,
                "stock.received",
                None,
                None,
                reference.clone()
            );
            let point = (q / 3 / SCALE).max(1) * SCALE;
            set_level(tx, org, p.id, b.store, point, q, year_ago).await?;
            levels.insert((p.id, b.store), (point, q));
        }
        if p.critical && matches!(p.category.as_deref(), Some("Ventilator" | "Monitoring")) {
            // The ICU keeps a few of its critical spares on the ward, moved from the main store.
            let to = &icu[i % icu.len()];
            let q = (opening / 4 / SCALE).max(1) * SCALE;
            let legs = vec![
                Leg {
                    kind: MovementKind::TransferOut,
                    bin: main_bin.bin,
                    store: main_bin.store,
                    flow: LegFlow::Out { quantity: q },
                    unit_cost: None,
                },
                Leg {
                    kind: MovementKind::TransferIn,
                    bin: to.bin,
                    store: to.store,
                    flow: LegFlow::InFromPrevious,
                    unit_cost: None,
                },
            ];
            post!(
                p,
                legs,
                at + Duration::days(1),
                keeper,
                "stock.transferred",
                None,
                None,
                None
            );
        }
    }

    // Parts used on the year's repairs at St. Mary's, from the main store; what falls to its
    // reorder point is received again after the lead time, up to the maximum.
    let repairs = work_order::Entity::find()
        .filter(work_order::Column::SiteId.eq(smgh))
        .filter(work_order::Column::WoType.eq(WorkOrderType::Corrective))
        .filter(work_order::Column::Status.is_in([Status::Completed, Status::Closed]))
        .filter(work_order::Column::CompletedAt.is_not_null())
        .order_by_asc(work_order::Column::CompletedAt)
        .all(&**tx)
        .await?;
    let mut on_order: Vec<(DateTime<Utc>, usize, i64)> = Vec::new();
    let mut ordered: HashMap<usize, bool> = HashMap::new();
    for w in repairs {
        let Some(done) = w.completed_at else { continue };
        // Receipts due before this repair arrive first, in date order.
        on_order.sort_by_key(|o| o.0);
        while on_order.first().is_some_and(|o| o.0 <= done) {
            let (at, i, q) = on_order.remove(0);
            let (p, cost) = &parts[i];
            // Prices creep up over the year: the moving average follows.
            let price = cost + cost * rng.below(12) as i64 / 100;
            let reference = Some(format!("PO-{}", 2600 + movements));
            post!(
                p,
                receipt(&smgh_main[i % smgh_main.len()], q, price),
                at,
                keeper,
                "stock.received",
                None,
                None,
                reference
            );
            ordered.insert(i, false);
        }
        if rng.below(100) >= 55 {
            continue;
        }
        for _ in 0..=rng.below(2) {
            // Most repairs use the same few fast movers (one part in twelve); the rest is spread.
            let i = if rng.below(4) > 0 {
                (rng.below(parts.len() as u64 / 12) * 12) as usize
            } else {
                rng.below(parts.len() as u64) as usize
            };
            let (p, _) = &parts[i];
            let b = &smgh_main[i % smgh_main.len()];
            let have = on_hand.get(&(p.id, b.bin)).copied().unwrap_or(0);
            let want = if p.decimals > 0 {
                (1 + rng.below(5) as i64) * SCALE
            } else {
                (1 + rng.below(2) as i64) * SCALE
            };
            let q = want.min(have);
            // Lately, jobs have asked for more of the parts on today's reorder list than the
            // bin held (a handful, so the store's stock-out list has its recent cases).
            let asked_more =
                i % 24 == 0 && done > now - Duration::days(60) && have > 0 && recent_outs < 6;
            if asked_more {
                recent_outs += 1;
            }
            let want = if asked_more { have + SCALE } else { want };
            if want > have {
                // The bin could not give what the job asked for: a stock-out, then the
                // technician takes what is there (if anything).
                let who = Who {
                    organization_id: Some(org),
                    actor_id: Some(people.technician),
                    meta: &meta,
                };
                let shortfall = Shortfall {
                    part: p,
                    store: b.store,
                    bin: b.bin,
                    work_order: Some(w.id),
                    requested: want,
                };
                record_stock_out(tx, done - Duration::hours(2), &who, shortfall)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                stock_outs += 1;
            }
            if q <= 0 {
                continue;
            }
            post!(
                p,
                out(MovementKind::Issue, b, q),
                done - Duration::hours(1),
                people.technician,
                "stock.issued",
                Some(w.id),
                None,
                None
            );
            let (point, maximum) = levels[&(p.id, b.store)];
            let left = on_hand[&(p.id, b.bin)];
            // Some recent crossings have not been ordered yet: they are today's reorder list.
            let unordered = i % 24 == 0 && done > now - Duration::days(90);
            if left <= point && !unordered && !ordered.get(&i).copied().unwrap_or(false) {
                let lead = Duration::days(7 + rng.below(21) as i64);
                on_order.push((done + lead, i, maximum - left));
                ordered.insert(i, true);
            }
        }
    }
    // Deliveries already due arrive; later ones are still on order, so those parts are low.
    on_order.sort_by_key(|o| o.0);
    for (at, i, q) in on_order.into_iter().filter(|o| o.0 <= now) {
        let (p, cost) = &parts[i];
        let reference = Some(format!("PO-{}", 2600 + movements));
        post!(
            p,
            receipt(&smgh_main[i % smgh_main.len()], q, *cost),
            at,
            keeper,
            "stock.received",
            None,
            None,
            reference
        );
    }

    // A few things every store sees in a year: expired and damaged stock, a count that found less.
    let recent = now - Duration::days(20);
    for (n, (i, kind, reason)) in [
        (3usize, MovementKind::WriteOff, "expired"),
        (40, MovementKind::WriteOff, "damaged"),
        (77, MovementKind::Count, "Cycle count: two found missing"),
    ]
    .into_iter()
    .enumerate()
    {
        let (p, _) = &parts[i];
        let b = &smgh_main[i % smgh_main.len()];
        let have = on_hand.get(&(p.id, b.bin)).copied().unwrap_or(0);
        let q = have.min(2 * SCALE);
        if q > 0 {
            let action = if kind == MovementKind::Count {
                "stock.counted"
            } else {
                "stock.written_off"
            };
            post!(
                p,
                out(kind, b, q),
                recent + Duration::days(n as i64),
                keeper,
                action,
                None,
                Some(reason.to_string()),
                None
            );
        }
    }
    Ok(Stores {
        parts: parts.len(),
        movements,
        stock_outs,
    })
}

#[allow(clippy::too_many_arguments)]
async fn new_store(
    tx: &WriteTx,
    org: Uuid,
    site: Uuid,
    code: &str,
    name: &str,
    kind: StoreKind,
    bins: &[&str],
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<Bin>> {
    let s = store::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        site_id: Set(site),
        code: Set(code.into()),
        name: Set(name.into()),
        kind: Set(kind),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(&**tx)
    .await?;
    let mut out = Vec::new();
    for b in bins {
        let bin = stock_bin::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            store_id: Set(s.id),
            code: Set((*b).into()),
            active: Set(true),
            created_at: Set(at),
        }
        .insert(&**tx)
        .await?;
        out.push(Bin {
            store: s.id,
            bin: bin.id,
        });
    }
    Ok(out)
}

async fn set_level(
    tx: &WriteTx,
    org: Uuid,
    part: Uuid,
    store: Uuid,
    reorder_point: i64,
    maximum: i64,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    stock_level::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        part_id: Set(part),
        store_id: Set(store),
        reorder_point: Set(reorder_point),
        maximum: Set(maximum),
        lead_time_days: Set(Some(14)),
        low: Set(false),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(&**tx)
    .await?;
    Ok(())
}
