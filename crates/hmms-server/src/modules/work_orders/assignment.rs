//! Who a work order is assigned to: a technician, a vendor user, or a vendor company whose
//! vendor users share the work. Naming a vendor user also assigns their company, so a colleague
//! can take over the job without a manager.

use hmms_domain::validate::Errors;
use hmms_store::entities::{user, vendor_company, work_order};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::principal::{self, Principal};
use crate::error::ApiResult;

/// A checked assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub assignee: Option<Uuid>,
    pub company: Option<Uuid>,
}

impl Assignment {
    pub fn of(w: &work_order::Model) -> Self {
        Self {
            assignee: w.assignee_id,
            company: w.vendor_company_id,
        }
    }
}

/// Checks a requested assignment. `None` when nothing was named; field errors go to `errors`.
pub async fn resolve(
    db: &impl ConnectionTrait,
    p: &Principal,
    assignee: Option<Uuid>,
    company: Option<Uuid>,
    errors: &mut Errors,
) -> ApiResult<Option<Assignment>> {
    if assignee.is_none() && company.is_none() {
        return Ok(None);
    }
    let mut resolved_company = company;
    if let Some(c) = company {
        match vendor_company::Entity::find_by_id(c)
            .one(db)
            .await?
            .filter(|v| v.organization_id == p.org())
        {
            Some(v) if v.active => {}
            Some(_) => errors.add(
                "vendorCompanyId",
                "this vendor company is inactive and takes no new work",
            ),
            None => errors.add("vendorCompanyId", "no such vendor company"),
        }
    }
    if let Some(a) = assignee {
        match principal::load(db, a, Default::default()).await {
            // Someone the caller cannot see answers as if they did not exist; vendors' people
            // serve every site, so they are named through their company, which is visible.
            Ok(Some(u))
                if u.org() == p.org()
                    && u.can("work_order.execute")
                    && (u.user.vendor_company_id.is_some()
                        || p.sees(&crate::modules::users::record_scope(&u.user))) =>
            {
                match (company, u.user.vendor_company_id) {
                    (Some(c), other) if other != Some(c) => errors.add(
                        "assigneeId",
                        "does not work for the vendor company named in `vendorCompanyId`",
                    ),
                    (None, own) => resolved_company = own,
                    _ => {}
                }
            }
            _ => errors.add(
                "assigneeId",
                "must be an active technician or vendor of your organization",
            ),
        }
    }
    Ok(Some(Assignment {
        assignee,
        company: resolved_company,
    }))
}

/// The people doing the work: the assignee, or else every active user of the vendor company.
pub async fn workers(db: &impl ConnectionTrait, a: Assignment) -> ApiResult<Vec<Uuid>> {
    if let Some(u) = a.assignee {
        return Ok(vec![u]);
    }
    let Some(c) = a.company else {
        return Ok(vec![]);
    };
    Ok(user::Entity::find()
        .filter(user::Column::VendorCompanyId.eq(c))
        .filter(user::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// Whether `p` is among the people doing the work.
pub fn is_worker(p: &Principal, w: &work_order::Model) -> bool {
    w.assignee_id == Some(p.id())
        || (w.vendor_company_id.is_some() && w.vendor_company_id == p.user.vendor_company_id)
}
