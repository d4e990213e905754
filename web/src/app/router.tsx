import { useMediaQuery } from '@mantine/hooks';
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { QueryState } from '@/components/query-state';
import { ChangePasswordPage } from '@/features/auth/components/change-password-page';
import { SignInPage } from '@/features/auth/components/sign-in-page';
import { TwoFactorPage } from '@/features/auth/components/two-factor-page';
import { DashboardPage } from '@/features/dashboard/components/dashboard-page';
import { NotificationsPage } from '@/features/notifications/components/notifications-page';
import { ProfilePage } from '@/features/profile/components/profile-page';
import { AssignedPage } from '@/features/work-orders/components/assigned-page';
import { CreateWorkOrderPage } from '@/features/work-orders/components/create-work-order-page';
import { WorkOrderDetailPage } from '@/features/work-orders/components/work-order-detail-page';
import { WorkOrderListPage } from '@/features/work-orders/components/work-order-list-page';
import { useMe, useSignedIn } from '@/lib/auth/use-me';
import { can, canOpenSettings, homeOf, isFieldWorker } from '@/lib/permissions';
import { AppLayout } from './layout/app-layout';
import { AssetLinkPage } from './routes/asset-link';
import { RouteErrorPage } from './routes/error-page';
import { StartPage } from './routes/start-page';
import { NotFoundPage, RequireAccess, RequireSignIn } from './routes/guards';

// Screens most people open rarely load on demand, keeping sign-in and the dashboard light.
const AssetListPage = lazy(() => import('@/features/assets/components/asset-list-page').then((m) => ({ default: m.AssetListPage })));
const AssetDetailPage = lazy(() => import('@/features/assets/components/asset-detail-page').then((m) => ({ default: m.AssetDetailPage })));
const SettingsPage = lazy(() => import('@/features/settings/components/settings-page').then((m) => ({ default: m.SettingsPage })));
const AuditPage = lazy(() => import('@/features/audit/components/audit-page').then((m) => ({ default: m.AuditPage })));
const PublicRequestPage = lazy(() => import('@/features/public-request/components/public-request-page').then((m) => ({ default: m.PublicRequestPage })));
const PreventivePage = lazy(() => import('@/features/preventive/components/preventive-page').then((m) => ({ default: m.PreventivePage })));
const PlanEditorPage = lazy(() => import('@/features/preventive/components/plan-editor-page').then((m) => ({ default: m.PlanEditorPage })));
const ChecklistBuilderPage = lazy(() => import('@/features/preventive/components/checklist-builder-page').then((m) => ({ default: m.ChecklistBuilderPage })));
const ReportsPage = lazy(() => import('@/features/reports/components/reports-page').then((m) => ({ default: m.ReportsPage })));
const PartsPage = lazy(() => import('@/features/inventory/components/parts-page').then((m) => ({ default: m.PartsPage })));
const PartPage = lazy(() => import('@/features/inventory/components/part-page').then((m) => ({ default: m.PartPage })));
const ScanPage = lazy(() => import('@/features/scan/components/scan-page').then((m) => ({ default: m.ScanPage })));

function Lazy({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <QueryState isPending error={null}>
          {null}
        </QueryState>
      }
    >
      {children}
    </Suspense>
  );
}

function EquipmentLabel() {
  return useSignedIn() ? (
    <RequireSignIn>
      <AssetLinkPage />
    </RequireSignIn>
  ) : (
    <Lazy>
      <PublicRequestPage />
    </Lazy>
  );
}

/**
 * Each role's home ([`homeOf`]): the technician on a phone and the vendor start at their
 * assignments, roles that read no work orders at a page of what they may open, everyone else at
 * the dashboard.
 */
function Home() {
  const me = useMe().data;
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const home = homeOf(me);
  if (home === 'assigned' || (phone && isFieldWorker(me))) return <Navigate to="/assigned" replace />;
  return home === 'start' ? <StartPage /> : <DashboardPage />;
}

export const router = createBrowserRouter([
  {
    errorElement: <RouteErrorPage />,
    children: [
      { path: '/sign-in', element: <SignInPage /> },
      {
        path: '/l/:site/:location',
        element: (
          <Lazy>
            <PublicRequestPage />
          </Lazy>
        ),
      },
      // An equipment label: staff who are signed in open the equipment, anyone else may report it.
      { path: '/a/:tag', element: <EquipmentLabel /> },
      {
        path: '/account/two-factor',
        element: (
          <RequireSignIn>
            <TwoFactorPage />
          </RequireSignIn>
        ),
      },
      {
        path: '/account/password',
        element: (
          <RequireSignIn>
            <ChangePasswordPage />
          </RequireSignIn>
        ),
      },
      {
        element: (
          <RequireSignIn>
            <AppLayout />
          </RequireSignIn>
        ),
        children: [
          {
            // A screen that fails keeps the header and tabs around our own error page.
            errorElement: <RouteErrorPage />,
            children: [
              { index: true, element: <Home /> },
              { path: 'assigned', element: <AssignedPage /> },
              {
                path: 'scan',
                element: (
                  <Lazy>
                    <ScanPage />
                  </Lazy>
                ),
              },
              { path: 'work-orders', element: <WorkOrderListPage /> },
              {
                path: 'work-orders/new',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'work_order.request') || can(me, 'work_order.create')}>
                    <CreateWorkOrderPage />
                  </RequireAccess>
                ),
              },
              { path: 'work-orders/:id', element: <WorkOrderDetailPage /> },
              {
                path: 'assets',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'asset.read')}>
                    <Lazy>
                      <AssetListPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'assets/:id',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'asset.read')}>
                    <Lazy>
                      <AssetDetailPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'reports',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'report.read')}>
                    <Lazy>
                      <ReportsPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              ...['parts', 'parts/view/:view'].map((path) => ({
                path,
                element: (
                  <RequireAccess allowed={(me) => can(me, 'inventory.read')}>
                    <Lazy>
                      <PartsPage />
                    </Lazy>
                  </RequireAccess>
                ),
              })),
              {
                path: 'parts/:id',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'inventory.read')}>
                    <Lazy>
                      <PartPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'preventive/plans/new',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'preventive.manage')}>
                    <Lazy>
                      <PlanEditorPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'preventive/plans/:id',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'preventive.read')}>
                    <Lazy>
                      <PlanEditorPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'preventive/checklists/new',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'preventive.manage')}>
                    <Lazy>
                      <ChecklistBuilderPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'preventive/checklists/:id',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'preventive.read')}>
                    <Lazy>
                      <ChecklistBuilderPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'preventive/*',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'preventive.read')}>
                    <Lazy>
                      <PreventivePage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              { path: 'notifications', element: <NotificationsPage /> },
              { path: 'profile', element: <ProfilePage /> },
              {
                path: 'audit',
                element: (
                  <RequireAccess allowed={(me) => can(me, 'audit.read')}>
                    <Lazy>
                      <AuditPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              {
                path: 'settings/*',
                element: (
                  <RequireAccess allowed={canOpenSettings}>
                    <Lazy>
                      <SettingsPage />
                    </Lazy>
                  </RequireAccess>
                ),
              },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
