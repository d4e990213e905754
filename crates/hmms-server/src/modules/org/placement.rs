//! Where a person or thing sits: a site, optionally a department of it, optionally a section of
//! that. Given a section, the department and site follow; given a department, the site follows.

use hmms_domain::validate::Errors;
use hmms_store::entities::{department, section, site};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::ApiResult;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placement {
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
}

/// Checks that the named site, department and section exist in the organization and fit
/// together, filling in the parents of what was given. Problems go to `errors`.
pub async fn resolve_placement(
    db: &impl ConnectionTrait,
    org: Uuid,
    site_id: Option<Uuid>,
    department_id: Option<Uuid>,
    section_id: Option<Uuid>,
    errors: &mut Errors,
) -> ApiResult<Placement> {
    let mut out = Placement {
        site_id,
        department_id,
        section_id,
    };
    if let Some(id) = section_id {
        match section::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|s| s.organization_id == org)
        {
            None => errors.add("sectionId", "no such section"),
            Some(s) => {
                if department_id.is_some_and(|d| d != s.department_id) {
                    errors.add("sectionId", "belongs to another department");
                }
                out.department_id = Some(s.department_id);
            }
        }
    }
    if let Some(id) = out.department_id {
        match department::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|d| d.organization_id == org)
        {
            None => errors.add("departmentId", "no such department"),
            Some(d) => {
                if site_id.is_some_and(|s| s != d.site_id) {
                    errors.add("departmentId", "belongs to another site");
                }
                out.site_id = Some(d.site_id);
            }
        }
    }
    if let Some(id) = out.site_id
        && site::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|s| s.organization_id == org)
            .is_none()
    {
        errors.add("siteId", "no such site");
    }
    Ok(out)
}
