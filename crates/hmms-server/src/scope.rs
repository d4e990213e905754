//! The one scope rule as a query condition: which rows of a scoped list a caller may see. It is
//! [`ScopeFilter::admits`] written for the database, shared by every list scoped by site,
//! department, person and vendor company (work orders, assets, users), so the security rule
//! cannot drift apart between them. The tests below check it against `admits` on a real
//! database.

use hmms_domain::ScopeFilter;
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef};
use uuid::Uuid;

/// Where a table keeps what places its rows.
pub struct Placed<C> {
    pub organization: C,
    /// `None` for rows that belong to no site.
    pub site: Option<C>,
    pub department: Option<C>,
}

/// The rows `f` admits: the organization's, narrowed to the caller's site or department (where
/// the table has one), plus — for every scope short of the organization — the rows the caller
/// is `involved` in (raised by them, assigned to them or to their vendor company).
pub fn condition<C: IntoColumnRef + Clone>(
    f: &ScopeFilter,
    placed: &Placed<C>,
    involved: impl Fn(Uuid, Option<Uuid>) -> Condition,
) -> Condition {
    let org = Expr::col(placed.organization.clone()).eq(f.organization_id());
    let place = |column: &Option<C>, value: Uuid| match column {
        Some(c) => Condition::all().add(Expr::col(c.clone()).eq(value)),
        // A table without that column has no row in the caller's place.
        None => Condition::any(),
    };
    match f {
        ScopeFilter::Organization { .. } => Condition::all().add(org),
        ScopeFilter::Site {
            site_id,
            user_id,
            company_id,
            ..
        } => Condition::all().add(org).add(
            Condition::any()
                .add(place(&placed.site, *site_id))
                .add(involved(*user_id, *company_id)),
        ),
        ScopeFilter::Department {
            department_id,
            user_id,
            company_id,
            ..
        } => Condition::all().add(org).add(
            Condition::any()
                .add(place(&placed.department, *department_id))
                .add(involved(*user_id, *company_id)),
        ),
        ScopeFilter::Assigned {
            user_id,
            company_id,
            ..
        } => Condition::all()
            .add(org)
            .add(involved(*user_id, *company_id)),
    }
}

#[cfg(test)]
mod tests {
    use hmms_domain::{Actor, RecordScope, Scope, ScopeFilter};
    use sea_orm::sea_query::{Alias, Query, SqliteQueryBuilder};
    use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
    use uuid::Uuid;

    use super::*;

    fn col(name: &str) -> Alias {
        Alias::new(name)
    }

    /// Every combination of two organizations, sites, departments, people and companies is a
    /// row; every actor of every scope reads them through the condition, and the rows it gets
    /// must be exactly those `ScopeFilter::admits` admits.
    #[tokio::test]
    async fn the_query_admits_exactly_what_the_rule_admits() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared(
            "CREATE TABLE rec (id TEXT PRIMARY KEY, org TEXT NOT NULL, site TEXT, dept TEXT, \
             requester TEXT NOT NULL, assignee TEXT, company TEXT)",
        )
        .await
        .unwrap();
        let ids = |n: usize| (0..n).map(|_| Uuid::now_v7()).collect::<Vec<_>>();
        let (orgs, sites, depts, people, companies) = (ids(2), ids(2), ids(2), ids(3), ids(2));
        let mut rows: Vec<(Uuid, RecordScope)> = vec![];
        for org in &orgs {
            for site in sites.iter().map(Some).chain([None]) {
                for dept in depts.iter().map(Some).chain([None]) {
                    for requester in &people {
                        for assignee in people.iter().map(Some).chain([None]) {
                            for company in companies.iter().map(Some).chain([None]) {
                                let id = Uuid::now_v7();
                                let q = Query::insert()
                                    .into_table(col("rec"))
                                    .columns(
                                        [
                                            "id",
                                            "org",
                                            "site",
                                            "dept",
                                            "requester",
                                            "assignee",
                                            "company",
                                        ]
                                        .map(col),
                                    )
                                    .values_panic([
                                        id.into(),
                                        (*org).into(),
                                        site.copied().into(),
                                        dept.copied().into(),
                                        (*requester).into(),
                                        assignee.copied().into(),
                                        company.copied().into(),
                                    ])
                                    .to_string(SqliteQueryBuilder);
                                db.execute_unprepared(&q).await.unwrap();
                                rows.push((
                                    id,
                                    RecordScope {
                                        organization_id: *org,
                                        site_id: site.copied(),
                                        department_id: dept.copied(),
                                        people: std::iter::once(*requester)
                                            .chain(assignee.copied())
                                            .collect(),
                                        company_id: company.copied(),
                                    },
                                ));
                            }
                        }
                    }
                }
            }
        }
        let placed = Placed {
            organization: col("org"),
            site: Some(col("site")),
            department: Some(col("dept")),
        };
        let involved = |user: Uuid, company: Option<Uuid>| {
            let c = Condition::any()
                .add(Expr::col(col("requester")).eq(user))
                .add(Expr::col(col("assignee")).eq(user));
            match company {
                Some(company) => c.add(Expr::col(col("company")).eq(company)),
                None => c,
            }
        };
        let mut checked = 0;
        for scope in Scope::ALL {
            for site in sites.iter().map(Some).chain([None]) {
                for dept in depts.iter().map(Some).chain([None]) {
                    for company in companies.iter().map(Some).chain([None]) {
                        let actor = Actor {
                            user_id: people[0],
                            organization_id: orgs[0],
                            site_id: site.copied(),
                            department_id: dept.copied(),
                            company_id: company.copied(),
                            scope,
                        };
                        let f = ScopeFilter::for_actor(&actor);
                        let sql = Query::select()
                            .column(col("id"))
                            .from(col("rec"))
                            .cond_where(condition(&f, &placed, involved))
                            .to_string(SqliteQueryBuilder);
                        let mut got: Vec<String> = db
                            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                            .await
                            .unwrap()
                            .into_iter()
                            .map(|r| r.try_get::<String>("", "id").unwrap())
                            .collect();
                        got.sort();
                        let mut want: Vec<String> = rows
                            .iter()
                            .filter(|(_, r)| f.admits(r))
                            .map(|(id, _)| id.to_string())
                            .collect();
                        want.sort();
                        assert_eq!(got, want, "{actor:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 3 * 3 * 3);
    }
}
